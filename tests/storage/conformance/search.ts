import assert from "node:assert/strict";
import { JobState } from "../../../src/job_state.ts";
import { type ListParams, SEARCH_SCAN_LIMIT, type Storage } from "../../../src/storage/storage.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at, job, put } from "./fixtures.ts";

const ids = async (s: Storage, p: Omit<ListParams, "limit"> & { limit?: number }) =>
  (await s.list({ limit: 50, ...p })).jobs.map((j) => j.id);

export function searchCases(ctx: ConformanceContext): void {
  const area = "search";

  conformanceCase(ctx, area, "by id prefix, method, key:value and args text", async (s) => {
    const alice = job({
      method: "send_email",
      queue: "mail",
      args: { to: "Alice@Example.com", n: 7, tags: ["vip"], nested: { city: "Lyon" } },
    });
    const bob = job({
      method: "send_email",
      queue: "mail",
      args: { to: "bob@example.com", n: 70 },
    });
    const img = job({ method: "resize_image", queue: "media", args: { path: "/img/alice.png" } });
    const odd = job({ method: "noop", args: ["to:alice@example.com"] });
    await put(s, alice, bob, img, odd);

    assert.deepEqual(await ids(s, { search: alice.id }), [alice.id]);
    assert.deepEqual(await ids(s, { search: alice.id.toUpperCase() }), [alice.id]);
    assert.deepEqual(await ids(s, { search: ` ${bob.id.slice(0, 30)} ` }), [bob.id]);
    assert.deepEqual(await ids(s, { search: "RESIZE" }), [img.id]);
    assert.deepEqual(await ids(s, { search: "email" }), [bob.id, alice.id]);
    // key:value compares one top-level field, case-insensitively, whole value.
    assert.deepEqual(await ids(s, { search: "to:alice@example.com" }), [odd.id, alice.id]);
    assert.deepEqual(await ids(s, { search: "n:7" }), [alice.id]);
    assert.deepEqual(await ids(s, { search: "n:70" }), [bob.id]);
    assert.deepEqual(await ids(s, { search: "city:lyon" }), [], "top-level fields only");
    const quoted = job({ method: "note", queue: "notes", args: { title: 'Say "Hi"\\now' } });
    await put(s, quoted);
    assert.deepEqual(await ids(s, { search: 'title:say "hi"\\now' }), [quoted.id]);
    assert.deepEqual(await ids(s, { search: 'title:say "hi"' }), []);

    // A plain text matches inside the JSON of args.
    assert.deepEqual(await ids(s, { search: "ALICE" }), [odd.id, img.id, alice.id]);
    assert.deepEqual(await ids(s, { search: "lyon" }), [alice.id]);
    assert.deepEqual(await ids(s, { search: "vip" }), [alice.id]);
    assert.deepEqual(await ids(s, { search: "nobody-at-all" }), []);
    assert.deepEqual(await ids(s, { search: "   " }), [
      quoted.id,
      odd.id,
      img.id,
      bob.id,
      alice.id,
    ]);
    // Combined with the other filters.
    assert.deepEqual(await ids(s, { search: "alice", queue: "mail" }), [alice.id]);
    assert.deepEqual(await ids(s, { search: "alice", method: "noop" }), [odd.id]);
    assert.deepEqual(
      await ids(s, { search: "alice", state: JobState.Enqueued, queue: "media" }),
      [img.id],
    );
    assert.deepEqual(await ids(s, { search: "alice", state: JobState.Failed }), []);
  });

  conformanceCase(ctx, area, "search results page with a cursor", async (s) => {
    const hits = Array.from({ length: 7 }, (_, i) => job({ args: { user: "carol", i } }));
    const misses = Array.from({ length: 5 }, (_, i) => job({ args: { user: "dave", i } }));
    await put(s, ...hits.slice(0, 3), ...misses, ...hits.slice(3));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await s.list({ limit: 3, search: "user:carol", cursor });
      seen.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, hits.map((j) => j.id).reverse());
  });

  conformanceCase(
    ctx,
    area,
    "LIKE wildcards are literal; method and args are separate",
    async (s) => {
      const pct = job({ method: "report", args: { note: "100%_done\\ok", user: "erin_x" } });
      const plain = job({ method: "report", args: { note: "100 percent done", user: "erinax" } });
      await put(s, pct, plain);
      assert.deepEqual(await ids(s, { search: "100%_d" }), [pct.id]);
      assert.deepEqual(await ids(s, { search: "100%" }), [pct.id]);
      assert.deepEqual(await ids(s, { search: "0%_done\\\\ok" }), [pct.id]);
      assert.deepEqual(await ids(s, { search: "user:erin_x" }), [pct.id]);
      assert.deepEqual(await ids(s, { search: "user:erin%" }), []);
      assert.deepEqual(await ids(s, { search: "erin_" }), [pct.id]);
      // The method and the args are matched each on its own, never across the two.
      assert.deepEqual(await ids(s, { search: "report {" }), []);
      assert.deepEqual(await ids(s, { search: "port" }), [plain.id, pct.id]);
      assert.deepEqual(
        await ids(s, { search: pct.id.slice(0, 8) }).then((x) => x.includes(pct.id)),
        true,
      );
    },
  );

  conformanceCase(ctx, area, "search pages over many queues and states in id order", async (s) => {
    // More jobs per queue and state than one scan step reads, so a backend that merges
    // several id sets must merge them exactly.
    const all = Array.from({ length: 660 }, (_, i) =>
      job({
        queue: ["a", "b", "c"][i % 3],
        runAt: i % 2 ? at(86_400_000) : undefined,
        args: { i, tag: i % 4 === 0 ? "hit" : "miss" },
      }));
    for (let i = 0; i < all.length; i += 110) await put(s, ...all.slice(i, i + 110));
    const want = all.filter((_, i) => i % 4 === 0).map((j) => j.id).reverse();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await s.list({ limit: 40, search: "tag:hit", cursor });
      seen.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, want);
  });

  conformanceCase(ctx, area, "from and to bound createdAt", async (s) => {
    const early = job({ now: at(0) });
    const mid = job({ now: at(60_000) });
    const late = job({ now: at(120_000) });
    await put(s, early, mid, late);
    assert.deepEqual(await ids(s, { from: at(60_000) }), [late.id, mid.id]);
    assert.deepEqual(await ids(s, { to: at(60_000) }), [early.id]);
    assert.deepEqual(await ids(s, { from: at(1), to: at(120_000) }), [mid.id]);
    assert.deepEqual(await ids(s, { from: at(0), to: at(200_000), search: "test_m" }), [
      late.id,
      mid.id,
      early.id,
    ]);
    assert.deepEqual(await ids(s, { from: at(0), to: at(0) }), []);
  });

  conformanceCase(
    ctx,
    area,
    "a search scans the newest SEARCH_SCAN_LIMIT jobs passing the filters",
    async (s) => {
      const old = job({
        method: "ancient_method",
        queue: "q",
        args: { tag: "needle-7" },
        now: at(-1_000),
      });
      await put(s, old);
      let newestFiller = "";
      for (let i = 0; i < SEARCH_SCAN_LIMIT; i += 1000) {
        const batch = Array.from(
          { length: 1000 },
          (_, k) => job({ queue: "other", args: { i: i + k } }),
        );
        await put(s, ...batch);
        newestFiller = batch[999].id;
      }
      const fresh = job({ method: "fresh_method", queue: "q", args: { tag: "needle-8" } });
      await put(s, fresh);
      const page = (p: Omit<ListParams, "limit">) => s.list({ limit: 50, ...p });
      // `old` is SEARCH_SCAN_LIMIT + 1 jobs deep: no kind of search reaches it, and the page
      // says it is the last.
      for (
        const search of [old.id, old.id.slice(0, 20), "ancient", "tag:needle-7", "needle-7"]
      ) {
        const r = await page({ search });
        assert.deepEqual(r.jobs.map((j) => j.id), [], `search ${search}`);
        assert.equal(r.nextCursor, null, `search ${search}`);
      }
      const both = await page({ search: "needle" });
      assert.deepEqual(both.jobs.map((j) => j.id), [fresh.id]);
      assert.equal(both.nextCursor, null);
      assert.deepEqual(await ids(s, { to: at(-500) }), [], "a range is bounded too");
      assert.deepEqual(await ids(s, { to: at(-500), queue: "q" }), [old.id]);
      // The bound counts the jobs that pass the state, queue and method filters: within
      // queue q (or method ancient_method) `old` is among the newest.
      for (
        const search of [old.id, old.id.slice(0, 20), "ancient", "tag:needle-7", "needle-7"]
      ) {
        assert.deepEqual(await ids(s, { search, queue: "q" }), [old.id], `queue q, ${search}`);
        assert.deepEqual(await ids(s, { search, method: "ancient_method" }), [old.id]);
      }
      assert.deepEqual(await ids(s, { search: "needle", queue: "q" }), [fresh.id, old.id]);
      assert.deepEqual(await ids(s, { search: "needle", state: JobState.Enqueued }), [fresh.id]);
      // Paging moves the window: below the freshest job `old` is still one too deep, below
      // the newest filler it is the last job within reach.
      assert.deepEqual(await ids(s, { search: "needle", cursor: fresh.id }), []);
      assert.deepEqual(await ids(s, { search: "needle", cursor: newestFiller }), [old.id]);
    },
  );

  conformanceCase(ctx, area, "case folding is ASCII only, the same on every backend", async (s) => {
    const evian = job({ method: "Ship_Water", args: { city: "ÉVIAN", note: "Crème" } });
    await put(s, evian);
    assert.deepEqual(await ids(s, { search: "Évian" }), [evian.id]);
    assert.deepEqual(await ids(s, { search: "city:évian" }), []);
    assert.deepEqual(await ids(s, { search: "city:Évian" }), [evian.id]);
    assert.deepEqual(await ids(s, { search: "évian" }), []);
    assert.deepEqual(await ids(s, { search: "CRème" }), [evian.id]);
    assert.deepEqual(await ids(s, { search: "CRÈME" }), []);
    assert.deepEqual(await ids(s, { search: "ship_water" }), [evian.id]);
  });
}
