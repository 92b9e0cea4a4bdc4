/**
 * The CPU time a database server on this machine has used, so that a benchmark can put the
 * database's share of a run beside the server process's own: on a small machine the two
 * share the cores, and a drain whose server and database together keep every core busy is
 * bound by CPU, not by waiting. Read from `/proc`: the Postgres processes (each backend, and
 * what the postmaster has collected from those that exited) or the Redis server. `NaN` where
 * it cannot be read (another OS, a database on another machine).
 *
 * @module
 */

/** Process names of each database server. */
const NAMES = { postgres: "postgres", redis: "redis-server" } as const;

/** The database servers this reads. */
export type DatabaseName = keyof typeof NAMES;

import type { Cell } from "./table.ts";

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU milliseconds (user + system) the `db` server's processes have used so far. */
export function databaseCpuMs(db: DatabaseName): number {
  let ticks = 0, found = false;
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      let stat: string;
      try {
        stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      } catch {
        continue; // exited meanwhile
      }
      const open = stat.indexOf("("), close = stat.lastIndexOf(")");
      if (stat.slice(open + 1, close) !== NAMES[db]) continue;
      // After the name: state is field 3; utime, stime, cutime, cstime are fields 14–17.
      const f = stat.slice(close + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      found = true;
    }
  } catch {
    return NaN;
  }
  return found ? ticks * TICK_MS : NaN;
}

/** The label of the CPU row under the drain row labelled `drain` ("2 drain 10,000, …"). */
export function cpuRowLabel(drain: string): string {
  return `5 CPU per 1,000 jobs (ms): server process / database, ${drain.replace(/^\d /, "")}`;
}

/**
 * A CPU row's cell from a drain's runs (each with its `rate`, `ms`, the server's `cpuMs` and
 * the database's `dbCpuMs`), per 1,000 jobs handled — a run's jobs are its rate times its
 * time, so a run cut short counts what it handled. `withDatabase` false: the database runs in
 * the server process, and its column is "–".
 */
export function cpuCell(runs: Record<string, number>[], withDatabase: boolean): Cell {
  const per1k = (k: string) => runs.map((r) => (r[k] / (r.rate * r.ms)) * 1e6);
  return {
    kind: "multi",
    series: [per1k("cpuMs"), withDatabase ? per1k("dbCpuMs") : null],
    digits: 0,
  };
}
