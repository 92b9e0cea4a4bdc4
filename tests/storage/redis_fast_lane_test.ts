/** The fast lane (src/storage/redis/fast_lane.ts): its RESP codec, and the lane against Redis. */
import assert from "node:assert/strict";
import { encodeCommand, FastLane, parseReply } from "../../src/storage/redis/fast_lane.ts";
import { resolveRedisConfig } from "../../src/storage/redis/config.ts";
import { at, job, put, take } from "./conformance/fixtures.ts";
import { openTestStorage, withRedis } from "../_helpers/redis.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("fast lane: parses every RESP2 reply type", () => {
  assert.deepEqual(parseReply(bytes("+OK\r\n"), 0), ["OK", 5]);
  assert.deepEqual(parseReply(bytes(":-42\r\n"), 0), [-42, 6]);
  assert.deepEqual(parseReply(bytes("$-1\r\n"), 0), [null, 5]);
  assert.deepEqual(parseReply(bytes("$0\r\n\r\n"), 0), ["", 6]);
  assert.deepEqual(parseReply(bytes("$3\r\na\r\n\r\n"), 0), ["a\r\n", 9]);
  assert.deepEqual(parseReply(bytes("*-1\r\n"), 0), [null, 5]);
  const nested = bytes("*3\r\n$1\r\nx\r\n*2\r\n:1\r\n$0\r\n\r\n+y\r\n");
  assert.deepEqual(parseReply(nested, 0), [["x", [1, ""], "y"], nested.length]);
  const [err] = parseReply(bytes("-NOSCRIPT No matching script\r\n"), 0)!;
  assert.ok(err instanceof Error);
  assert.equal(err.message, "NOSCRIPT No matching script");
  // UTF-8: the length counts bytes.
  const utf = bytes("$6\r\nhé€\r\n");
  assert.deepEqual(parseReply(utf, 0), ["hé€", utf.length]);
});

Deno.test("fast lane: an incomplete reply parses as null, at every cut", () => {
  const whole = bytes("*2\r\n$5\r\nhello\r\n*1\r\n:7\r\n+after\r\n");
  const end = whole.length - "+after\r\n".length;
  for (let cut = 0; cut < end; cut++) {
    assert.equal(parseReply(whole.subarray(0, cut), 0), null, `cut at ${cut}`);
  }
  assert.deepEqual(parseReply(whole, 0), [["hello", [7]], end]);
  assert.deepEqual(parseReply(whole, end), ["after", whole.length]);
});

Deno.test("fast lane: encodes commands with byte lengths", () => {
  assert.equal(
    new TextDecoder().decode(encodeCommand(["EVALSHA", "é", ""])),
    "*3\r\n$7\r\nEVALSHA\r\n$2\r\né\r\n$0\r\n\r\n",
  );
});

Deno.test("[redis only] fast lane: named connection; enqueue and fetch run through it", async () => {
  const h = await openTestStorage();
  try {
    const name = `qml:${h.prefix}:fast`;
    const clientId = await withRedis(async (admin) => {
      const line = (await admin.client("LIST") as string).split("\n")
        .find((l) => l.includes(` name=${name} `));
      assert.ok(line, "a fast-lane connection");
      return /(?:^|\s)id=(\d+)/.exec(line!)![1];
    });
    const lastCommand = () =>
      withRedis(async (admin) => {
        const line = await admin.client("LIST", "ID", clientId) as string;
        return /(?:^|\s)cmd=(\S+)/.exec(line)![1];
      });
    assert.equal(await lastCommand(), "client|setname");
    const [a] = await put(h.storage, job({ args: { text: "é€ unicode" } }));
    const [got] = await take(h.storage);
    assert.equal(got.id, a.id);
    assert.deepEqual(got.args, { text: "é€ unicode" });
    // `cmd=` is the last command the connection ran: the lane ran the fetch script.
    assert.match(await lastCommand(), /^(evalsha|eval)$/);
  } finally {
    await h.cleanup();
  }
});

Deno.test("[redis only] fast lane: a large fetch reply spans many reads", async () => {
  const h = await openTestStorage();
  try {
    const big = "x".repeat(8_000);
    const jobs = Array.from({ length: 150 }, (_, i) => job({ args: { i, big }, runAt: at(-i) }));
    await put(h.storage, ...jobs);
    const got = await take(h.storage, { limit: 150 });
    assert.equal(got.length, 150);
    assert.ok(got.every((j) => (j.args as { big: string }).big === big));
    // Interleaved small calls after the large reply still line up.
    const more = await Promise.all([
      put(h.storage, job({ queue: "q2" })),
      take(h.storage, { queues: ["q2"] }),
      put(h.storage, job({ queue: "q3" })),
    ]);
    assert.equal(more[0].length, 1);
    assert.equal(more[2].length, 1);
  } finally {
    await h.cleanup();
  }
});

Deno.test("[redis only] fast lane: a killed lane falls back to ioredis, then reconnects", async () => {
  const h = await openTestStorage();
  try {
    const name = ` name=qml:${h.prefix}:fast `;
    const laneIds = () =>
      withRedis(async (admin) =>
        (await admin.client("LIST") as string).split("\n").filter((l) => l.includes(name))
          .map((l) => /(?:^|\s)id=(\d+)/.exec(l)![1])
      );
    const [id] = await laneIds();
    // Kill it (calls in flight at that moment are covered with a fake Redis below): calls
    // go through ioredis until the lane reconnects.
    await withRedis((admin) => admin.client("KILL", "ID", id));
    const stored = (await Promise.all(Array.from({ length: 20 }, () => put(h.storage, job()))))
      .flat();
    assert.equal(stored.length, 20);
    assert.equal((await take(h.storage, { limit: 50 })).length, 20);
    // Within about a second, a call reopens the lane.
    const deadline = Date.now() + 5_000;
    let again: string[] = [];
    while (Date.now() < deadline) {
      await put(h.storage, job({ queue: "later" }));
      again = await laneIds();
      if (again.length === 1 && again[0] !== id) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(again.length, 1, "the lane reconnected");
    assert.notEqual(again[0], id);
  } finally {
    await h.cleanup();
  }
});

Deno.test("[redis only] fast lane: none with the node transport", async () => {
  const h = await openTestStorage({ transport: "node" });
  try {
    const lines = await withRedis(async (admin) =>
      (await admin.client("LIST") as string).split("\n").filter((l) =>
        l.includes(` name=qml:${h.prefix}:`)
      )
    );
    assert.equal(lines.length, 1, lines.join("\n"));
    const [a] = await put(h.storage, job());
    assert.equal((await take(h.storage))[0].id, a.id);
  } finally {
    await h.cleanup();
  }
});

/** A fake Redis that answers the lane through `script`, one read at a time. */
function fakeRedis(
  script: (request: string, conn: Deno.Conn) => Promise<boolean>,
): { url: string; requests: string[]; done: Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const requests: string[] = [];
  const done = (async () => {
    const conn = await listener.accept();
    listener.close();
    const buf = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await conn.read(buf);
        if (n === null) break;
        const request = new TextDecoder().decode(buf.subarray(0, n));
        requests.push(request);
        if (!(await script(request, conn))) break;
      }
    } finally {
      conn.close();
    }
  })();
  return { url: `redis://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`, requests, done };
}

const reply = (conn: Deno.Conn, text: string) => conn.write(bytes(text)).then(() => true);

Deno.test("fast lane: NOSCRIPT → EVAL; a call in flight when the lane dies takes its fallback", async () => {
  const fake = fakeRedis((req, conn) => {
    if (req.includes("SETNAME")) return reply(conn, "+OK\r\n");
    if (req.includes("EVALSHA")) return reply(conn, "-NOSCRIPT No matching script\r\n");
    return Promise.resolve(false); // the EVAL: hang up without a reply
  });
  const lane = new FastLane(resolveRedisConfig({ url: fake.url, keyPrefix: "p" }));
  await lane.open();
  assert.equal(lane.up, true);
  let fallbacks = 0;
  const got = await lane.run("fetchAndLock", ["{p}:"], [1, "two"], () => {
    fallbacks++;
    return Promise.resolve("from ioredis");
  });
  assert.equal(got, "from ioredis");
  assert.equal(fallbacks, 1);
  assert.equal(lane.up, false);
  await fake.done;
  assert.match(fake.requests[0], /CLIENT\r\n\$7\r\nSETNAME\r\n\$\d+\r\nqml:p:fast\r\n/);
  assert.match(fake.requests[1], /^\*6\r\n\$7\r\nEVALSHA\r\n\$40\r\n[0-9a-f]{40}\r\n\$1\r\n1\r\n/);
  assert.match(fake.requests[2], /^\*6\r\n\$4\r\nEVAL\r\n/);
  // Down: calls go straight to the fallback (the retry waits a second).
  assert.equal(await lane.run("enqueue", ["{p}:"], ["[]"], () => Promise.resolve("fb")), "fb");
  await lane.close();
});

Deno.test("fast lane: a refused handshake leaves every call to the fallback", async () => {
  const fake = fakeRedis((req, conn) =>
    req.includes("AUTH")
      ? reply(conn, "-WRONGPASS invalid username-password pair\r\n+OK\r\n")
      : Promise.resolve(false)
  );
  const url = fake.url.replace("redis://", "redis://u:secret@") + "/3";
  const lane = new FastLane(resolveRedisConfig({ url, keyPrefix: "p" }));
  await lane.open();
  assert.equal(lane.up, false);
  assert.equal(await lane.run("enqueue", ["{p}:"], ["[]"], () => Promise.resolve("fb")), "fb");
  await fake.done;
  // AUTH, SELECT and SETNAME went out pipelined in one write.
  assert.match(
    fake.requests[0],
    /AUTH\r\n\$1\r\nu\r\n\$6\r\nsecret\r\n.*SELECT\r\n\$1\r\n3\r\n.*SETNAME/s,
  );
  await lane.close();
});

Deno.test("fast lane: a connection silent past the command timeout is dropped", async () => {
  const fake = fakeRedis((req, conn) =>
    req.includes("SETNAME") ? reply(conn, "+OK\r\n") : Promise.resolve(true) // never answers
  );
  const lane = new FastLane(
    resolveRedisConfig({ url: fake.url, keyPrefix: "p", commandTimeoutMs: 50 }),
  );
  await lane.open();
  assert.equal(lane.up, true);
  const first = lane.run("enqueue", ["{p}:"], ["[]"], () => Promise.resolve("first, via ioredis"));
  await new Promise((r) => setTimeout(r, 80));
  const second = await lane.run("enqueue", ["{p}:"], ["[]"], () => Promise.resolve("second"));
  assert.equal(second, "second");
  assert.equal(await first, "first, via ioredis");
  assert.equal(lane.up, false);
  await fake.done;
  await lane.close();
});
