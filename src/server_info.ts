/**
 * What a running job server records about itself in storage, so that a
 * dashboard or CLI in another process can list the cluster's servers.
 *
 * @module
 */

/** A job server as recorded in storage (refreshed with every heartbeat). */
export interface ServerInfo {
  /** Unique server name (as written in locks and job histories). */
  name: string;
  /** Host name of the machine it runs on. */
  host: string;
  /** Process id. */
  pid: number;
  /** When the server started. */
  startedAt: Date;
  /** Its last heartbeat (storage time). */
  heartbeatAt: Date;
  /** Queues it fetches from, in strict order. */
  queues: string[];
  /** Jobs it may run at once. */
  concurrency: number;
  /** Jobs running on it at its last heartbeat. */
  inFlight: number;
  /** Execution mode (`"workers"`, `"inline"`, …). */
  execution: string;
  /** The qml version it runs. */
  version: string;
}

/** How a dashboard shows a recorded server. */
export type ServerStatus = "alive" | "gone";

/** Heartbeat periods of silence after which a server is shown as gone. */
export const SERVER_GONE_PERIODS = 3;

/** Heartbeat periods of silence after which a server's record is pruned. */
export const SERVER_PRUNE_PERIODS = 10;

/**
 * Whether a recorded server is alive: it is gone once it missed
 * {@link SERVER_GONE_PERIODS} heartbeats of `periodMs` (judged at `now`, storage time).
 *
 * @example
 * ```ts
 * import { serverStatus } from "./server_info.ts";
 * const info = { heartbeatAt: new Date(0) };
 * console.log(serverStatus(info, new Date(5_000), 1_000)); // "gone"
 * ```
 */
export function serverStatus(
  info: Pick<ServerInfo, "heartbeatAt">,
  now: Date,
  periodMs: number,
): ServerStatus {
  return now.getTime() - info.heartbeatAt.getTime() > SERVER_GONE_PERIODS * periodMs
    ? "gone"
    : "alive";
}
