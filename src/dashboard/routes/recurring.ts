/**
 * `/api/recurring`: templates with their next runs; trigger, pause, resume, remove.
 *
 * @module
 */
import type { Hono } from "hono";
import { nextRuns } from "../../cron.ts";
import type { RecurringTemplate } from "../../recurring.ts";
import { changeOf, type DashboardContext, type DashboardEnv } from "../context.ts";
import { notFound } from "../http_errors.ts";

/** How many upcoming runs each template lists. */
export const NEXT_RUNS = 3;

/** A template as the API shows it. */
export interface RecurringView extends RecurringTemplate {
  /** Upcoming ticks (none while paused). */
  nextRuns: Date[];
}

async function view(t: RecurringTemplate, now: Date): Promise<RecurringView> {
  return { ...t, nextRuns: await nextRuns(t, now, NEXT_RUNS) };
}

/** Register the read route of templates. */
export function recurringReadRoutes(app: Hono<DashboardEnv>, ctx: DashboardContext): void {
  app.get("/api/recurring", async (c) => {
    const [templates, now] = await Promise.all([ctx.storage.listRecurring(), ctx.storage.time()]);
    return c.json({ templates: await Promise.all(templates.map((t) => view(t, now))) });
  });
}

/** Register the routes that change templates (left out when read-only). */
export function recurringWriteRoutes(app: Hono<DashboardEnv>, ctx: DashboardContext): void {
  app.post("/api/recurring/:name/trigger", async (c) => {
    const job = await ctx.client.triggerRecurring(c.req.param("name"));
    await ctx.publish([changeOf(job, "enqueued", ctx.clock.now())]);
    return c.json({ job }, 201);
  });

  app.post("/api/recurring/:name/pause", async (c) => {
    const t = await ctx.client.pauseRecurring(c.req.param("name"));
    return c.json({ template: await view(t, await ctx.storage.time()) });
  });
  app.post("/api/recurring/:name/resume", async (c) => {
    const t = await ctx.client.resumeRecurring(c.req.param("name"));
    return c.json({ template: await view(t, await ctx.storage.time()) });
  });

  app.delete("/api/recurring/:name", async (c) => {
    const name = c.req.param("name");
    if (!(await ctx.storage.removeRecurring({ name }))) {
      throw notFound(`recurring template ${name}`);
    }
    return c.json({ removed: name });
  });
}
