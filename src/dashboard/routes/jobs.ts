/**
 * `/api/jobs`: list, search, read, enqueue, retry, delete and bulk actions.
 *
 * @module
 */
import type { Hono } from "hono";
import type { EnqueueOptions } from "../../client.ts";
import type { Job } from "../../job.ts";
import { BULK_MAX_IDS, type BulkAction, bulkByFilter, bulkByIds } from "../bulk.ts";
import { changeOf, type DashboardContext, type DashboardEnv } from "../context.ts";
import { parseFilter, parsePage } from "../filters.ts";
import { ApiError, badRequest, notFound } from "../http_errors.ts";
import { readJsonObject } from "./body.ts";

/** A job in a list: everything but its history (which the detail view loads). */
export type JobSummary = Omit<Job, "history">;

function summary(job: Job): JobSummary {
  const { history: _history, ...rest } = job;
  return rest;
}

/** Register the read routes of jobs. */
export function jobReadRoutes(app: Hono<DashboardEnv>, ctx: DashboardContext): void {
  app.get("/api/jobs", async (c) => {
    const q = c.req.query();
    const { limit, cursor, ...rest } = q;
    const filter = parseFilter(rest);
    const page = await ctx.storage.list({ ...filter, ...parsePage({ limit, cursor }) });
    return c.json({ jobs: page.jobs.map(summary), nextCursor: page.nextCursor });
  });

  app.get("/api/jobs/:id", async (c) => {
    const job = await ctx.storage.get({ id: c.req.param("id") });
    if (!job) throw notFound(`job ${c.req.param("id")}`);
    return c.json({ job });
  });
}

/** Register the routes that change jobs (left out when read-only). */
export function jobWriteRoutes(app: Hono<DashboardEnv>, ctx: DashboardContext): void {
  app.post("/api/jobs", async (c) => {
    const body = await readJsonObject(c.req.raw);
    const { method, args = null, options = {} } = body;
    if (typeof method !== "string" || method === "") {
      throw badRequest("method: expected a non-empty string");
    }
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw badRequest("options: expected an object");
    }
    const job = await ctx.client.enqueue(
      method,
      args,
      enqueueOptions(options as Record<string, unknown>),
    );
    await ctx.publish([changeOf(job, "enqueued", ctx.clock.now())]);
    return c.json({ job }, 201);
  });

  // Bulk must be declared before "/:id/…" so "bulk" is never read as an id.
  app.post("/api/jobs/bulk", async (c) => {
    const body = await readJsonObject(c.req.raw);
    const action = body.action;
    if (action !== "retry" && action !== "delete") {
      throw badRequest('action: expected "retry" or "delete"');
    }
    const deps = { storage: ctx.storage, clock: ctx.clock, publish: ctx.publish };
    let count: number;
    if (body.ids !== undefined) {
      if (body.filter !== undefined) throw badRequest("give ids or filter, not both");
      const ids = body.ids;
      if (
        !Array.isArray(ids) || ids.length > BULK_MAX_IDS ||
        ids.some((id) => typeof id !== "string" || id.length > 100)
      ) {
        throw badRequest(`ids: expected an array of at most ${BULK_MAX_IDS} job ids`);
      }
      count = await bulkByIds(deps, action as BulkAction, ids as string[]);
    } else if (body.filter !== undefined) {
      const raw = body.filter;
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw badRequest("filter: expected an object");
      }
      count = await bulkByFilter(
        deps,
        action as BulkAction,
        parseFilter(raw as Record<string, unknown>),
      );
    } else {
      throw badRequest("give ids or filter (an empty filter {} means every job)");
    }
    return c.json({ action, count });
  });

  const retry = async (id: string) => {
    const ok = await ctx.client.requeue(id, "retried from the dashboard");
    const job = await ctx.storage.get({ id });
    if (!job) throw notFound(`job ${id}`);
    if (!ok) {
      throw new ApiError(
        409,
        "ILLEGAL_TRANSITION",
        `job ${id} is ${job.state}: only Succeeded, Failed or Deleted jobs can be retried`,
      );
    }
    await ctx.publish([changeOf(job, "requeued", ctx.clock.now())]);
    return job;
  };
  const remove = async (id: string) => {
    const ok = await ctx.client.delete(id, "deleted from the dashboard");
    const job = await ctx.storage.get({ id });
    if (!job) throw notFound(`job ${id}`);
    if (!ok) throw new ApiError(409, "ILLEGAL_TRANSITION", `job ${id} is already ${job.state}`);
    await ctx.publish([changeOf(job, "deleted", ctx.clock.now())]);
    return job;
  };

  app.post("/api/jobs/:id/retry", async (c) => c.json({ job: await retry(c.req.param("id")) }));
  app.post("/api/jobs/:id/delete", async (c) => c.json({ job: await remove(c.req.param("id")) }));
  app.delete("/api/jobs/:id", async (c) => c.json({ job: await remove(c.req.param("id")) }));
}

const OPTION_KEYS = [
  "queue",
  "priority",
  "delayMs",
  "runAt",
  "maxAttempts",
  "uniqueKey",
  "timeoutMs",
];

// JSON options into EnqueueOptions; JobClient checks the ranges.
function enqueueOptions(o: Record<string, unknown>): EnqueueOptions {
  for (const key of Object.keys(o)) {
    if (!OPTION_KEYS.includes(key)) {
      throw badRequest(`options: unknown field "${key}" (known: ${OPTION_KEYS.join(", ")})`);
    }
  }
  const out: EnqueueOptions = {};
  const num = (key: string): number | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number") throw badRequest(`options.${key}: expected a number`);
    return v;
  };
  const str = (key: string): string | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw badRequest(`options.${key}: expected a string`);
    return v;
  };
  out.queue = str("queue");
  out.priority = num("priority");
  out.delayMs = num("delayMs");
  out.maxAttempts = num("maxAttempts");
  out.uniqueKey = str("uniqueKey");
  out.timeoutMs = num("timeoutMs");
  const runAt = str("runAt");
  if (runAt !== undefined) {
    const d = new Date(runAt);
    if (!Number.isFinite(d.getTime())) throw badRequest("options.runAt: expected an ISO date");
    out.runAt = d;
  }
  for (const k of Object.keys(out) as (keyof EnqueueOptions)[]) {
    if (out[k] === undefined) delete out[k];
  }
  return out;
}
