/**
 * `qml stats`: job counts by state and by queue.
 *
 * @module
 */
import { ALL_STATES } from "../../job_state.ts";
import { type GlobalOptions, withStorage } from "../context.ts";
import { emit, type Io } from "../io.ts";

/** `qml stats`. */
export async function stats(io: Io, o: GlobalOptions): Promise<number> {
  return await withStorage(o, async (_s, client) => {
    const counts = await client.counts();
    emit(io, !!o.json, counts, () => {
      const head = "queue".padEnd(16) + ALL_STATES.map((s) => s.padStart(14)).join("");
      const row = (name: string, c: Record<string, number>) =>
        name.padEnd(16) + ALL_STATES.map((s) => String(c[s] ?? 0).padStart(14)).join("");
      return [
        head,
        row("(all)", counts.byState),
        ...Object.entries(counts.byQueue).sort(([a], [b]) => a.localeCompare(b)).map((
          [q, c],
        ) => row(q, c)),
      ];
    });
    return 0;
  });
}
