/**
 * The whole Redis key layout of one key prefix, in one place.
 *
 * Every key starts with `{<prefix>}:` — the prefix is the cluster hash tag, so
 * all keys of one prefix live in one slot and every Lua script runs unchanged on
 * Redis Cluster. Scripts receive the base (`{<prefix>}:`) as `KEYS[1]` and
 * derive per-job and per-queue keys from it with the same suffixes as below
 * (see `lua/_lib.lua`); because those derived keys carry the same hash tag they
 * hash to the slot of `KEYS[1]`, which is what a cluster routes the script by.
 *
 * | key                          | type        | holds                                                    |
 * | ---------------------------- | ----------- | -------------------------------------------------------- |
 * | `{p}:j:<id>`                 | hash        | the job's fields (see `codec.ts`)                        |
 * | `{p}:h:<id>`                 | list        | the job's history, one JSON entry each (RPUSH, no re-encode) |
 * | `{p}:r:<queue>`              | sorted set  | Enqueued jobs: score `-priority`, member `runAt(15 digits) + id` |
 * | `{p}:sched`                  | sorted set  | Scheduled and AwaitingRetry jobs by `runAt`              |
 * | `{p}:proc`                   | sorted set  | Processing jobs by `lockedUntil`                         |
 * | `{p}:exp`                    | sorted set  | final jobs by `expiresAt`; member `["id","state","queue"]` |
 * | `{p}:qs:<queue>:<state>`     | sorted set  | ids of one queue in one state, score 0                   |
 * | `{p}:queues`                 | set         | every queue name ever used (counts skip empty ones)      |
 * | `{p}:uniq`                   | hash        | unique key → id of the live job holding it               |
 * | `{p}:rec:<name>`             | hash        | template: `json`, `createdAt`, `updatedAt`, `lastTickAt`, `paused` |
 * | `{p}:recs`                   | sorted set  | recurring template names, score 0                        |
 * | `{p}:lease:<name>`           | hash        | `holder`, `until`                                        |
 * | `{p}:srv`                    | hash        | server name → its record as JSON                         |
 * | `{p}:srvhb`                  | sorted set  | server names by last heartbeat                           |
 * | `{p}:mm:<minute ms>`         | hash        | metrics of one minute (layout: `lua/record_activity.lua`) |
 * | `{p}:mh:<hour ms>`           | hash        | metrics of one hour, same layout                         |
 * | `{p}:mmi`, `{p}:mhi`         | sorted set  | the minute / hour buckets that exist, by time            |
 * | `{p}:mcut`                   | string      | minute buckets before this time were compacted away      |
 * | `{p}:signals`                | channel     | `r<queue>` (ready), `c<id>` (cancelled), `a<changes>` (activity) |
 *
 * Why a member of `r:<queue>` carries `runAt`: a sorted-set score is a double
 * (53-bit mantissa). Packing priority and a millisecond time (41 bits today)
 * into one score leaves 12 bits for priority and breaks silently outside
 * ±2048. Instead the score is exactly `-priority` (any safe number) and ties
 * are broken by the member, which Redis compares bytewise: a zero-padded
 * 15-digit `runAt` then the id — priority desc, then runAt, then id, all exact.
 *
 * Why ids sit in score-0 sorted sets per (queue, state): UUIDv7 ids sort by
 * creation time, so `ZREVRANGEBYLEX` pages newest first from any cursor without
 * SCAN (a page over several queues or states merges their sets), and `ZCARD`
 * gives exact counts without a counter that could drift. There is no "all jobs"
 * set: it would cost every enqueue and purge one more write for the benefit of
 * the unfiltered dashboard list only.
 *
 * @module
 */

/** Builds the keys of one prefix. */
export class RedisKeys {
  /** The prefix as configured (without braces). */
  readonly prefix: string;
  /** `{prefix}:` — passed to every script as `KEYS[1]`. */
  readonly base: string;
  /** Pub/sub channel of this prefix; scripts publish to `KEYS[1] .. "signals"`. */
  readonly channel: string;

  /** Key layout for `prefix` (validated by the config). */
  constructor(prefix: string) {
    this.prefix = prefix;
    this.base = `{${prefix}}:`;
    this.channel = `${this.base}signals`;
  }

  /** The job hash. */
  job(id: string): string {
    return `${this.base}j:${id}`;
  }

  /** The job's history list. */
  history(id: string): string {
    return `${this.base}h:${id}`;
  }

  /** Ready (Enqueued) jobs of `queue`. */
  ready(queue: string): string {
    return `${this.base}r:${queue}`;
  }

  /** Scheduled and AwaitingRetry jobs by runAt. */
  get scheduled(): string {
    return `${this.base}sched`;
  }

  /** Processing jobs by lockedUntil. */
  get processing(): string {
    return `${this.base}proc`;
  }

  /** Final jobs by expiresAt. */
  get expiry(): string {
    return `${this.base}exp`;
  }

  /** Ids of one queue in one state. */
  queueState(queue: string, state: string): string {
    return `${this.base}qs:${queue}:${state}`;
  }

  /** Queue names. */
  get queues(): string {
    return `${this.base}queues`;
  }

  /** Unique key → live job id. */
  get unique(): string {
    return `${this.base}uniq`;
  }

  /** One recurring template. */
  recurring(name: string): string {
    return `${this.base}rec:${name}`;
  }

  /** Recurring template names. */
  get recurringNames(): string {
    return `${this.base}recs`;
  }

  /** One maintenance lease. */
  lease(name: string): string {
    return `${this.base}lease:${name}`;
  }

  /** A pattern matching every key of this prefix (for tests and tooling only: it is a SCAN pattern). */
  get pattern(): string {
    return `${this.base.replace(/[*?[\]\\{}]/g, (c) => `\\${c}`)}*`;
  }
}
