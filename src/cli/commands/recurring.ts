/**
 * `qml recurring list|trigger|pause|resume|remove`: manage recurring (cron)
 * templates from a terminal.
 *
 * @module
 */
import { nextRuns } from "../../cron.ts";
import { type GlobalOptions, withStorage } from "../context.ts";
import { emit, type Io } from "../io.ts";

/** `qml recurring list`: every template with its next runs. */
export async function listRecurring(io: Io, o: GlobalOptions): Promise<number> {
  return await withStorage(o, async (storage, client) => {
    const [templates, now] = await Promise.all([client.listRecurring(), storage.time()]);
    const views = await Promise.all(
      templates.map(async (t) => ({ ...t, nextRuns: await nextRuns(t, now, 3) })),
    );
    emit(
      io,
      !!o.json,
      views,
      () =>
        views.length === 0
          ? ["no recurring templates"]
          : views.map((t) =>
            `${t.name.padEnd(24)} ${t.cron.padEnd(18)} ${t.method.padEnd(20)} ${
              t.paused ? "paused" : `next ${t.nextRuns[0]?.toISOString() ?? "—"}`
            }`
          ),
    );
    return 0;
  });
}

/** What `qml recurring <action> NAME` does. */
export type RecurringAction = "trigger" | "pause" | "resume" | "remove";

/** `qml recurring trigger|pause|resume|remove NAME`. */
export async function actOnRecurring(
  io: Io,
  action: RecurringAction,
  name: string,
  o: GlobalOptions,
): Promise<number> {
  return await withStorage(o, async (_s, client) => {
    switch (action) {
      case "trigger": {
        const job = await client.triggerRecurring(name);
        emit(io, !!o.json, job, () => [`${name}: enqueued job ${job.id} (${job.queue})`]);
        return 0;
      }
      case "pause":
      case "resume": {
        const t = action === "pause"
          ? await client.pauseRecurring(name)
          : await client.resumeRecurring(name);
        emit(io, !!o.json, t, () => [`${name}: ${t.paused ? "paused" : "resumed"}`]);
        return 0;
      }
      case "remove": {
        const removed = await client.removeRecurring(name);
        emit(io, !!o.json, { name, removed }, () => [
          removed ? `${name}: removed` : `${name}: no such template`,
        ]);
        return removed ? 0 : 1;
      }
    }
  });
}
