import assert from "node:assert/strict";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at } from "./fixtures.ts";

export function leaseCases(ctx: ConformanceContext): void {
  conformanceCase(ctx, "leases", "one holder at a time until expiry or release", async (s) => {
    const lease = (holder: string, now: number) =>
      s.acquireLease({ name: "maintenance", holder, ttlMs: 1_000, now: at(now) });
    assert.equal(await lease("a", 0), true);
    assert.equal(await lease("b", 500), false);
    assert.equal(await lease("a", 900), true, "the holder renews");
    assert.equal(await lease("b", 1_800), false, "renewed until 1 900");
    assert.equal(await lease("b", 1_900), true, "expired: another takes it");
    await s.releaseLease({ name: "maintenance", holder: "a" }); // not the holder: no-op
    assert.equal(await lease("a", 2_000), false);
    await s.releaseLease({ name: "maintenance", holder: "b" });
    assert.equal(await lease("a", 2_000), true);
    assert.equal(
      await s.acquireLease({ name: "other", holder: "b", ttlMs: 1_000, now: at(2_000) }),
      true,
      "leases are independent by name",
    );
  });
}
