/**
 * The OpenTelemetry API, loaded only in an isolate where a provider is registered.
 *
 * The API registers its providers under one global symbol: Deno's built-in OpenTelemetry
 * (`OTEL_DENO=true`) fills it before user code runs, in the main isolate and in every Web
 * Worker, and so does an SDK set up before qml is imported. Without it the API would only
 * hand out no-op tracers and meters, yet loading it costs memory and start-up time in every
 * isolate that imports qml (a server's main isolate and each of its Web Workers), so qml
 * reads the symbol once, at load, and imports the API only when it is there. This is the
 * same moment the tracing and metrics modules decide whether telemetry is on.
 *
 * @module
 */
import type * as Api from "@opentelemetry/api";

// The API's own key for its registrations (major version 1).
const GLOBAL_KEY = Symbol.for("opentelemetry.js.api.1");

/** The API when a provider is registered in this isolate at load, else `null`. */
export const otelApi: typeof Api | null =
  (globalThis as Record<symbol, unknown>)[GLOBAL_KEY] === undefined
    ? null
    : await import("@opentelemetry/api");
