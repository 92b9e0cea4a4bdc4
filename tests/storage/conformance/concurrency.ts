import assert from "node:assert/strict";
import { JobState } from "../../../src/job_state.ts";
import { decide } from "../../../src/transitions.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { job, put, T0, take } from "./fixtures.ts";

export function concurrencyCases(ctx: ConformanceContext): void {
  const area = "concurrency";

  conformanceCase(ctx, area, "20 fetchers over 1,000 jobs never share a job", async (s) => {
    const jobs = Array.from({ length: 1_000 }, (_, i) => job({ args: { i }, priority: i % 3 }));
    for (let i = 0; i < jobs.length; i += 250) await put(s, ...jobs.slice(i, i + 250));
    const seen = new Map<string, string>();
    await Promise.all(Array.from({ length: 20 }, async (_, f) => {
      const server = `fetcher-${f}`;
      while (true) {
        const got = await take(s, { server, limit: 7 });
        if (got.length === 0) return;
        for (const j of got) {
          assert.equal(
            seen.get(j.id),
            undefined,
            `job ${j.id} handed to ${seen.get(j.id)} and ${server}`,
          );
          seen.set(j.id, server);
          assert.equal(j.lockedBy, server);
        }
      }
    }));
    assert.equal(seen.size, 1_000);
    assert.equal((await s.counts()).byState.Processing, 1_000);
  });

  conformanceCase(ctx, area, "concurrent enqueues of one unique key store one job", async (s) => {
    const res = await Promise.all(
      Array.from(
        { length: 10 },
        () => s.enqueue({ jobs: [job({ uniqueKey: "only-one" })], now: T0 }),
      ),
    );
    const created = res.flat().filter((r) => r.created);
    assert.equal(created.length, 1);
    assert.ok(res.flat().every((r) => r.job.id === created[0].job.id));
    assert.equal((await s.counts()).byState.Enqueued, 1);
  });

  conformanceCase(ctx, area, "racing transitions of one job: exactly one applies", async (s) => {
    await put(s, job());
    const [running] = await take(s);
    const guard = { state: JobState.Processing, lockedBy: "s1" };
    const outcomes = [
      { type: "succeeded" as const, result: 1 },
      { type: "deleted" as const },
      { type: "released" as const },
      { type: "succeeded" as const, result: 2 },
    ];
    const res = await Promise.all(
      outcomes.map((o) =>
        s.transition({
          items: [{ id: running.id, guard, next: decide(running, o, { now: T0 }) }],
          now: T0,
        })
      ),
    );
    assert.equal(res.flat().filter(Boolean).length, 1);
    const j = await s.get({ id: running.id });
    assert.equal(j?.history.length, 3);
  });
}
