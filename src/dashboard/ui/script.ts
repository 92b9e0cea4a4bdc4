/**
 * The UI script served at `/assets/app.js`: its parts joined into one module.
 *
 * @module
 */
import { JS_ADMIN } from "./js_admin.ts";
import { JS_CORE } from "./js_core.ts";
import { JS_JOBS } from "./js_jobs.ts";
import { JS_OVERVIEW } from "./js_overview.ts";

/** The whole UI script. */
export const APP_JS: string = [JS_CORE, JS_OVERVIEW, JS_JOBS, JS_ADMIN].join("\n");
