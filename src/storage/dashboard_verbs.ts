/**
 * The dashboard verbs of the `Storage` contract (servers and the metrics history), as one
 * type: a backend implements them in a module of its own, with the contract's parameters,
 * and its storage class delegates each verb in one line.
 *
 * @module
 */
import type { Storage } from "./storage.ts";

/** The dashboard verbs of {@link Storage}, with the contract's signatures. */
export type DashboardVerbs = Pick<
  Storage,
  | "recordServer"
  | "removeServer"
  | "listServers"
  | "pruneServers"
  | "recordActivity"
  | "queryMetrics"
  | "compactMetrics"
>;

/** What `Storage.queryMetrics` takes. */
export type MetricsQuery = Parameters<Storage["queryMetrics"]>[0];
