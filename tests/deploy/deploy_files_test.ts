/**
 * The container and deployment files, validated as far as this machine allows (no
 * Docker engine, no Kubernetes cluster): the files parse, name files and commands that
 * exist, and the image's own commands run here as plain processes.
 */
import assert from "node:assert/strict";
import { parse, parseAllDocuments } from "yaml";
import { main } from "../../src/cli/main.ts";
import type { Io } from "../../src/cli/io.ts";

const ROOT = new URL("../../", import.meta.url);
const read = (path: string) => Deno.readTextFileSync(new URL(path, ROOT));

/** The JSON-array form of a Dockerfile instruction (`ENTRYPOINT [...]`). */
function instruction(dockerfile: string, name: string): string[] {
  const line = dockerfile.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line, `Dockerfile has ${name}`);
  return JSON.parse(line.slice(name.length + 1));
}

/** Run the CLI in-process on `args` (only parsing: `--help` never touches storage). */
async function parses(args: string[]): Promise<void> {
  const lines: string[] = [];
  const io: Io = { out: (l) => lines.push(l), err: (l) => lines.push(l), interactive: false };
  assert.equal(await main([...args, "--help"], io), 0, `${args.join(" ")}: ${lines.join("\n")}`);
}

Deno.test("Dockerfile: official Deno base, dependencies in their own layer, non-root, qml serve", () => {
  const file = read("Dockerfile");
  assert.match(file, /^FROM denoland\/deno:\d+\.\d+\.\d+$/m);
  const lines = file.split("\n");
  const lockCopy = lines.findIndex((l) => /^COPY .*deno\.json deno\.lock/.test(l));
  const install = lines.findIndex((l) => l === "RUN deno install --frozen");
  const allCopy = lines.findIndex((l) => /^COPY .* \. \.$/.test(l));
  assert.ok(lockCopy >= 0 && lockCopy < install && install < allCopy, "deps cached first");
  assert.ok(lines.findIndex((l) => l === "USER deno") < install, "runs as the deno user");
  const entry = instruction(file, "ENTRYPOINT");
  assert.equal(entry.at(-1), "cli.ts");
  assert.equal(instruction(file, "CMD")[0], "serve");
});

Deno.test("Dockerfile: its RUN steps and its command run here as plain processes", async () => {
  const file = read("Dockerfile");
  for (const run of file.split("\n").filter((l) => l.startsWith("RUN deno "))) {
    const [cmd, ...args] = run.slice(4).split(" ");
    assert.equal(cmd, "deno");
    const out = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT, stderr: "piped" })
      .output();
    assert.equal(out.code, 0, `${run}: ${new TextDecoder().decode(out.stderr)}`);
  }
  const dir = await Deno.makeTempDir({ prefix: "qml_image_" });
  const [, ...entry] = instruction(file, "ENTRYPOINT");
  // The image's command, on a free port instead of 8080 (tests run side by side).
  const cmd = instruction(file, "CMD").map((a) => a === ":8080" ? ":0" : a);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...entry, ...cmd],
    cwd: ROOT,
    env: {
      QML_DASHBOARD_HOST: "0.0.0.0",
      QML_DASHBOARD_TOKEN: "t0ken-for-tests",
      QML_STORAGE_URL: `sqlite:${dir}/jobs.db`,
      NO_COLOR: "1",
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (!/dashboard on (http:\/\/\S+\/)/.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the image's command did not start: ${text}`);
      text += value;
    }
    const base = /dashboard on (http:\/\/\S+\/)/.exec(text)![1].replace("0.0.0.0", "127.0.0.1");
    const res = await fetch(base + "api/stats", {
      headers: { authorization: "Bearer t0ken-for-tests" },
    });
    assert.equal(res.status, 200);
    assert.ok((await res.json()).byState);
    child.kill("SIGTERM");
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
    assert.equal((await child.status).code, 0, text);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("docker-compose.yml: Postgres, Redis (AOF, noeviction) and the demo app on both", () => {
  const compose = parse(read("docker-compose.yml"));
  const s = compose.services;
  assert.deepEqual(Object.keys(s).sort(), ["app", "app-redis", "postgres", "redis"]);
  const redisCmd = s.redis.command.join(" ");
  assert.match(redisCmd, /--appendonly yes/);
  assert.match(redisCmd, /--maxmemory-policy noeviction/);
  for (const name of ["app", "app-redis"]) {
    const app = s[name];
    assert.equal(app.build, ".");
    const script = app.entrypoint.at(-1);
    assert.ok(Deno.statSync(new URL(script, ROOT)).isFile, `${name} runs ${script}`);
    assert.match(app.environment.QML_STORAGE_URL, name === "app" ? /^postgres:/ : /^redis:/);
    assert.ok(app.environment.QML_DASHBOARD_TOKEN, "a dashboard bound to 0.0.0.0 needs auth");
    assert.ok(Object.keys(app.depends_on).length === 1);
  }
});

Deno.test("deploy/kubernetes.yaml: worker replicas, a dashboard Service, qml commands that parse", async () => {
  const docs = parseAllDocuments(read("deploy/kubernetes.yaml")).map((d) => d.toJS());
  const kinds = docs.map((d) => `${d.kind}/${d.metadata.name}`);
  assert.deepEqual(kinds, [
    "Deployment/qml-workers",
    "Deployment/qml-dashboard",
    "Service/qml-dashboard",
  ]);
  const [workers, dashboard, service] = docs;
  assert.ok(workers.spec.replicas > 1);
  assert.deepEqual(service.spec.selector, dashboard.spec.template.metadata.labels);
  for (const d of [workers, dashboard]) {
    assert.deepEqual(d.spec.selector.matchLabels, d.spec.template.metadata.labels);
    const [c] = d.spec.template.spec.containers;
    await parses(c.args);
    const probe: string[] = c.readinessProbe.exec.command;
    assert.equal(probe.at(-2), "cli.ts");
    await parses([probe.at(-1)!]);
  }
});
