/**
 * The `qml` command line: run job servers and the dashboard, migrate schemas,
 * and inspect or manage jobs from a terminal or a script.
 *
 * Storage comes from `--storage` or `QML_STORAGE_URL`; `--json` prints JSON;
 * every command has `--help`. Exit codes: 0 ok, 1 failure, 2 bad usage.
 *
 * @example Run a server and look at its jobs
 * ```sh
 * deno run -A jsr:@qml/qml/cli serve --storage postgres://localhost/app --workers ./workers.ts
 * deno run -A jsr:@qml/qml/cli jobs list --state failed --json
 * deno run -A jsr:@qml/qml/cli jobs retry --state failed --queue emails
 * ```
 *
 * @module
 */
import { main } from "./src/cli/main.ts";

export { main };
export type { Io } from "./src/cli/io.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
