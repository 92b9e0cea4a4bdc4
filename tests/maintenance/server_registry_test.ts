import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.ts";
import { consoleLogger } from "../../src/logger.ts";
import { retentionPlugin } from "../../src/maintenance/retention.ts";
import {
  type ServerDescription,
  serverRegistryPlugin,
} from "../../src/maintenance/server_registry.ts";
import { emptyHistogram, HOUR_MS } from "../../src/metrics.ts";
import { SERVER_GONE_PERIODS, SERVER_PRUNE_PERIODS, serverStatus } from "../../src/server_info.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { makeServer } from "../server/_server.ts";

const T0 = new Date("2026-01-01T00:00:00Z");
const PERIOD = 1_000;

/** MemoryStorage whose storage clock is a ManualClock. */
class ClockedStorage extends MemoryStorage {
  constructor(readonly clock: ManualClock) {
    super();
  }
  override time(): Promise<Date> {
    return Promise.resolve(this.clock.now());
  }
}

function setup() {
  const clock = new ManualClock(T0);
  const storage = new ClockedStorage(clock);
  const ctx = { storage, clock, serverName: "s1", logger: consoleLogger("silent") };
  return { clock, storage, ctx };
}

const describe = (inFlight: () => number): () => ServerDescription => () => ({
  name: "s1",
  host: "box",
  pid: 42,
  startedAt: T0,
  queues: ["default"],
  concurrency: 8,
  inFlight: inFlight(),
  execution: "inline",
  version: "0.1.0",
});

Deno.test("server registry: records the server with each period, storage time, current load", async () => {
  const { clock, storage, ctx } = setup();
  let inFlight = 0;
  const plugin = serverRegistryPlugin(ctx, {
    intervalMs: PERIOD,
    describe: describe(() => inFlight),
  });
  assert.equal(plugin.leased, false, "every server records itself");
  await plugin.tick(clock.now());
  assert.deepEqual(await storage.listServers(), [
    { ...describe(() => 0)(), heartbeatAt: T0 },
  ]);
  clock.advance(PERIOD);
  inFlight = 5;
  await plugin.tick(clock.now());
  const [s] = await storage.listServers();
  assert.equal(s.inFlight, 5);
  assert.equal(s.heartbeatAt.getTime(), T0.getTime() + PERIOD);
  assert.equal((await storage.listServers()).length, 1);
});

Deno.test("server registry: prunes servers silent for the prune periods, keeps the rest", async () => {
  const { clock, storage, ctx } = setup();
  const other = (name: string, silentPeriods: number) =>
    storage.recordServer({
      server: {
        ...describe(() => 0)(),
        name,
        heartbeatAt: new Date(T0.getTime() + 20 * PERIOD - silentPeriods * PERIOD),
      },
    });
  await other("dead", SERVER_PRUNE_PERIODS + 1);
  await other("quiet", SERVER_GONE_PERIODS + 1);
  clock.set(new Date(T0.getTime() + 20 * PERIOD));
  const plugin = serverRegistryPlugin(ctx, { intervalMs: PERIOD, describe: describe(() => 0) });
  assert.equal(await plugin.tick(clock.now()), 1);
  const names = (await storage.listServers()).map((s) => s.name);
  assert.deepEqual(names, ["quiet", "s1"]);
  // Still listed, but shown as gone: it missed more than three heartbeats.
  const [quiet, self] = await storage.listServers();
  assert.equal(serverStatus(quiet, clock.now(), PERIOD), "gone");
  assert.equal(serverStatus(self, clock.now(), PERIOD), "alive");
});

Deno.test("serverStatus: alive up to three missed periods, gone after", () => {
  const info = { heartbeatAt: T0 };
  const at = (ms: number) => new Date(T0.getTime() + ms);
  assert.equal(serverStatus(info, at(0), PERIOD), "alive");
  assert.equal(serverStatus(info, at(SERVER_GONE_PERIODS * PERIOD), PERIOD), "alive");
  assert.equal(serverStatus(info, at(SERVER_GONE_PERIODS * PERIOD + 1), PERIOD), "gone");
});

Deno.test("retention compacts the metrics history too", async () => {
  const { storage, ctx } = setup();
  const bucket = {
    at: T0,
    queue: "q",
    method: "m",
    succeeded: 1,
    failed: 0,
    retried: 0,
    runMs: emptyHistogram(),
    waitMs: emptyHistogram(),
  };
  await storage.recordActivity({ metrics: [bucket], changes: [] });
  const plugin = retentionPlugin(ctx, { intervalMs: 1_000 });
  assert.ok(await plugin.tick(new Date(T0.getTime() + 91 * 24 * HOUR_MS)) >= 1);
  const left = await storage.queryMetrics({
    from: T0,
    to: new Date(T0.getTime() + HOUR_MS),
    resolution: "hour",
  });
  assert.deepEqual(left, []);
});

Deno.test("a running server is listed; a stopped one is not", async () => {
  const { server, storage } = makeServer({ execution: "inline", concurrency: 3 });
  await server.start();
  try {
    await waitUntil(async () => (await storage.listServers()).length === 1, {
      what: "the server recorded",
    });
    const [s] = await storage.listServers();
    assert.equal(s.name, server.serverName);
    assert.equal(s.pid, Deno.pid);
    assert.equal(s.concurrency, 3);
    assert.equal(s.execution, "inline");
    assert.deepEqual(s.queues, ["default"]);
    assert.equal(s.inFlight, 0);
  } finally {
    await server.stop();
  }
  assert.deepEqual(await storage.listServers(), []);
});
