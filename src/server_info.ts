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
