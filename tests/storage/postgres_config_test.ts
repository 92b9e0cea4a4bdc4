/** PostgresStorage configuration: options, environment fallbacks, and their errors. */
import assert from "node:assert/strict";
import { ConfigError } from "../../src/errors.ts";
import { DEFAULT_URL, resolveConfig } from "../../src/storage/postgres/config.ts";
import { channelName, quoteIdentifier } from "../../src/storage/postgres/identifiers.ts";

const ENV_NAMES = [
  "DATABASE_URL",
  "QML_MAX_CONNECTIONS",
  "QML_MIN_CONNECTIONS",
  "QML_AUTO_MIGRATE",
];

/** Run `fn` with exactly `vars` set among the variables qml reads, restoring them after. */
function withEnv(vars: Record<string, string>, fn: () => void): void {
  const saved = Object.fromEntries(ENV_NAMES.map((n) => [n, Deno.env.get(n)]));
  try {
    for (const n of ENV_NAMES) Deno.env.delete(n);
    for (const [k, v] of Object.entries(vars)) Deno.env.set(k, v);
    fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  }
}

function rejects(fn: () => unknown, option: string, range: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    assert.equal(err.option, option);
    assert.match(err.message, range);
    return true;
  });
}

Deno.test("config: defaults", () => {
  withEnv({}, () => {
    const c = resolveConfig();
    assert.equal(c.url, DEFAULT_URL);
    assert.equal(c.schema, "qml");
    assert.equal(c.schemaIdent, '"qml"');
    assert.equal(c.maxConnections, 10);
    assert.equal(c.minConnections, 1);
    assert.equal(c.autoMigrate, true);
    assert.equal(c.vacuumEveryFetched, 50_000);
  });
});

Deno.test("config: environment fallbacks", () => {
  withEnv({
    DATABASE_URL: "postgres://u@h:5433/db",
    QML_MAX_CONNECTIONS: "25",
    QML_MIN_CONNECTIONS: "3",
    QML_AUTO_MIGRATE: "false",
  }, () => {
    const c = resolveConfig();
    assert.equal(c.url, "postgres://u@h:5433/db");
    assert.equal(c.maxConnections, 25);
    assert.equal(c.minConnections, 3);
    assert.equal(c.autoMigrate, false);
    // Explicit options win over the environment.
    const o = resolveConfig({ url: "postgresql://x/y", maxConnections: 4, autoMigrate: true });
    assert.equal(o.url, "postgresql://x/y");
    assert.equal(o.maxConnections, 4);
    assert.equal(o.autoMigrate, true);
  });
});

Deno.test("config: invalid values name the option and the accepted range", () => {
  withEnv({}, () => {
    rejects(() => resolveConfig({ maxConnections: 0 }), "maxConnections", /1\.\.1000/);
    rejects(() => resolveConfig({ maxConnections: 2.5 }), "maxConnections", /integer/);
    rejects(
      () => resolveConfig({ maxConnections: 2, minConnections: 3 }),
      "minConnections",
      /0\.\.2/,
    );
    rejects(() => resolveConfig({ connectTimeoutMs: 0 }), "connectTimeoutMs", /1\.\.600000/);
    rejects(() => resolveConfig({ commandTimeoutMs: -1 }), "commandTimeoutMs", /0\.\.86400000/);
    rejects(() => resolveConfig({ url: "mysql://x" }), "url", /postgres:\/\//);
    rejects(() => resolveConfig({ schema: "Jobs" }), "schema", /a-z, 0-9 and _/);
    rejects(
      () => resolveConfig({ vacuumEveryFetched: -1 }),
      "vacuumEveryFetched",
      /0\.\.1000000000/,
    );
  });
  withEnv({ QML_MAX_CONNECTIONS: "many" }, () => {
    rejects(() => resolveConfig(), "QML_MAX_CONNECTIONS", /1\.\.1000/);
  });
  withEnv({ QML_AUTO_MIGRATE: "perhaps" }, () => {
    rejects(() => resolveConfig(), "QML_AUTO_MIGRATE", /true\/false/);
  });
});

Deno.test("identifiers: only plain lower-case names pass, always quoted", () => {
  assert.equal(quoteIdentifier("qml_jobs_2", "schema"), '"qml_jobs_2"');
  assert.equal(quoteIdentifier("_x", "schema"), '"_x"');
  for (const bad of ["", "2x", "a-b", "A", 'a"b', "a b", "a".repeat(64), "é"]) {
    assert.throws(() => quoteIdentifier(bad, "schema"), ConfigError);
  }
  assert.equal(channelName("qml"), "qml_qml");
  assert.ok(channelName("a".repeat(63)).length <= 63);
});
