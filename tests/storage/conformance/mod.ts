/**
 * The storage conformance suite: one set of cases that every backend runs.
 * A backend's test file calls {@link runStorageConformance} with a factory that
 * makes a fresh isolated storage per case (own schema, own key prefix).
 */
import type { ConformanceContext, StorageFactory } from "./harness.ts";
import { enqueueCases, traceContextCases } from "./enqueue.ts";
import { queryCases } from "./query.ts";
import { fetchCases } from "./fetch.ts";
import { transitionCases } from "./transition.ts";
import { lockCases } from "./locks.ts";
import { scheduleCases } from "./schedule.ts";
import { retentionCases } from "./retention.ts";
import { recurringCases } from "./recurring.ts";
import { leaseCases } from "./leases.ts";
import { signalCases } from "./signals.ts";
import { concurrencyCases } from "./concurrency.ts";
import { serverCases } from "./servers.ts";
import { metricsCases } from "./metrics.ts";
import { activityCases } from "./activity.ts";
import { searchCases } from "./search.ts";
import { payloadCases } from "./payloads.ts";

export type { BackendHarness, StorageFactory } from "./harness.ts";

/** Register every conformance case for `backend`. `skip` maps "area: case" to a reason. */
export function runStorageConformance(
  backend: string,
  factory: StorageFactory,
  opts: { skip?: Record<string, string> } = {},
): void {
  const ctx: ConformanceContext = { backend, factory, skip: opts.skip ?? {} };
  for (
    const area of [
      enqueueCases,
      traceContextCases,
      queryCases,
      fetchCases,
      transitionCases,
      lockCases,
      scheduleCases,
      retentionCases,
      recurringCases,
      leaseCases,
      signalCases,
      concurrencyCases,
      serverCases,
      metricsCases,
      activityCases,
      searchCases,
      payloadCases,
    ]
  ) area(ctx);
}
