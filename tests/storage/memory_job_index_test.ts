import assert from "node:assert/strict";
import { createJob, type Job } from "../../src/job.ts";
import { JobIndex } from "../../src/storage/memory/job_index.ts";

const jobs = (n: number): Job[] =>
  Array.from({ length: n }, (_, i) => createJob({ method: "m", args: { i }, now: new Date(i) }));
const ids = (index: JobIndex, limit = 100) =>
  index.page(null, limit, () => true).jobs.map((j) => j.id);

Deno.test("JobIndex: pages skip removed jobs, newest first, across compactions", () => {
  const index = new JobIndex();
  const all = jobs(10);
  for (const j of all) index.add(j);
  // One at a time, as a retention of 0 removes them; the list compacts past half holes.
  for (const j of all.slice(0, 7)) index.removeMany([j.id]);
  const left = all.slice(7).map((j) => j.id).reverse();
  assert.deepEqual(ids(index), left);
  // A cursor resumes below an id, holes or not.
  const first = index.page(null, 1, () => true);
  assert.deepEqual(first.jobs.map((j) => j.id), [left[0]]);
  assert.equal(first.nextCursor, left[0]);
  assert.deepEqual(
    index.page(first.nextCursor, 10, () => true).jobs.map((j) => j.id),
    left.slice(1),
  );
});

Deno.test("JobIndex: a job stored again under a removed id is listed once, in its place", () => {
  const index = new JobIndex();
  const [a, b, c] = jobs(3);
  for (const j of [a, b, c]) index.add(j);
  index.removeMany([b.id]);
  assert.deepEqual(ids(index), [c.id, a.id]);
  index.add(b);
  assert.deepEqual(ids(index), [c.id, b.id, a.id]);
  assert.equal(index.get(b.id), b);
});
