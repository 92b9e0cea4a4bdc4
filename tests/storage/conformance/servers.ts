import assert from "node:assert/strict";
import type { ServerInfo } from "../../../src/server_info.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at } from "./fixtures.ts";

const server = (name: string, over: Partial<ServerInfo> = {}): ServerInfo => ({
  name,
  host: "box-1",
  pid: 4242,
  startedAt: at(0),
  heartbeatAt: at(0),
  queues: ["critical", "default"],
  concurrency: 8,
  inFlight: 0,
  execution: "workers",
  version: "1.2.3",
  ...over,
});

export function serverCases(ctx: ConformanceContext): void {
  const area = "servers";

  conformanceCase(ctx, area, "record, refresh, list by name, remove", async (s) => {
    assert.deepEqual(await s.listServers(), []);
    await s.recordServer({ server: server("b-server") });
    await s.recordServer({ server: server("a-server", { execution: "inline", pid: 7 }) });
    assert.deepEqual(await s.listServers(), [
      server("a-server", { execution: "inline", pid: 7 }),
      server("b-server"),
    ]);
    // A heartbeat is the same record again, refreshed: still one entry per name.
    const refreshed = server("b-server", { heartbeatAt: at(5_000), inFlight: 3 });
    await s.recordServer({ server: refreshed });
    const listed = await s.listServers();
    assert.equal(listed.length, 2);
    assert.deepEqual(listed[1], refreshed);
    await s.removeServer({ name: "a-server" });
    await s.removeServer({ name: "never-there" });
    assert.deepEqual((await s.listServers()).map((x) => x.name), ["b-server"]);
  });

  conformanceCase(ctx, area, "prune forgets servers silent since before the cut", async (s) => {
    await s.recordServer({ server: server("old", { heartbeatAt: at(1_000) }) });
    await s.recordServer({ server: server("edge", { heartbeatAt: at(2_000) }) });
    await s.recordServer({ server: server("new", { heartbeatAt: at(3_000) }) });
    assert.equal(await s.pruneServers({ before: at(2_000) }), 1);
    assert.deepEqual((await s.listServers()).map((x) => x.name), ["edge", "new"]);
    assert.equal(await s.pruneServers({ before: at(2_000) }), 0);
    // A refreshed heartbeat saves a server from the next prune.
    await s.recordServer({ server: server("edge", { heartbeatAt: at(9_000) }) });
    assert.equal(await s.pruneServers({ before: at(5_000) }), 1);
    assert.deepEqual((await s.listServers()).map((x) => x.name), ["edge"]);
  });
}
