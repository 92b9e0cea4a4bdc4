/**
 * Who runs, in SQLite: the servers' records, refreshed by their heartbeats.
 *
 * @module
 */
import type { ServerInfo } from "../../server_info.ts";
import type { Connection } from "./connection.ts";
import { QUERIES } from "./queries.ts";
import { parseServer } from "./rows.ts";

/** Record or refresh a server. */
export function recordServer(conn: Connection, s: ServerInfo): void {
  conn.stmt(QUERIES.recordServer).run(s.name, s.heartbeatAt.getTime(), JSON.stringify(s));
}

/** Forget a server. */
export function removeServer(conn: Connection, name: string): void {
  conn.stmt(QUERIES.removeServer).run(name);
}

/** Every recorded server, by name. */
export function listServers(conn: Connection): ServerInfo[] {
  return conn.stmt(QUERIES.listServers).all().map((r) => parseServer(r.info as string));
}

/** Forget servers silent since before `before`; how many. */
export function pruneServers(conn: Connection, before: Date): number {
  return Number(conn.stmt(QUERIES.pruneServers).run(before.getTime()).changes);
}
