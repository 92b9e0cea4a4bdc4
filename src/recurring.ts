/**
 * Recurring (cron) job templates as stored. Checking and storing one is
 * `recurring_store.ts`; turning ticks into jobs is the cron plugin (`src/maintenance/`).
 *
 * @module
 */

/** What to do with ticks that passed while no server was running. */
export type MissedTicksPolicy = "skip" | "once" | "all";

/** A recurring job: a cron pattern and the job to enqueue at each tick. */
export interface RecurringTemplate {
  /** Unique name; scheduling the same name again updates the template. */
  name: string;
  /** Cron pattern (5 fields, or 6 with seconds first). */
  cron: string;
  /** IANA timezone the pattern is read in; `null` means UTC. */
  timezone: string | null;
  /** The worker to run. */
  method: string;
  /** JSON arguments of each job. */
  args: unknown;
  /** Queue of each job. */
  queue: string;
  /** Priority of each job. */
  priority: number;
  /** Attempts of each job; `null` lets the client's default decide. */
  maxAttempts: number | null;
  /** Missed-tick policy (default `skip`). */
  missedTicks: MissedTicksPolicy;
  /** When the template was first stored. */
  createdAt: Date;
  /** When it was last changed. */
  updatedAt: Date;
  /** Paused templates claim no ticks until resumed. */
  paused: boolean;
  /** The last tick that was claimed and turned into a job, if any. */
  lastTickAt: Date | null;
  /**
   * Set only on a template read back from storage whose stored record could not be decoded
   * (edited by hand, written by another program, damaged): what failed to parse. Its other
   * fields may be empty; the cron scheduler skips it (the others keep ticking) until it is
   * scheduled again or removed.
   */
  unreadable?: string;
}

/** What a storage is given to create or update a template: the fields it keeps itself left out. */
export type RecurringTemplateInput = Omit<
  RecurringTemplate,
  "createdAt" | "updatedAt" | "lastTickAt" | "paused" | "unreadable"
>;
