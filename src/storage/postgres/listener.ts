/**
 * A LISTEN connection that comes back by itself. postgres.js re-issues LISTEN once when its
 * listen connection closes, but gives up silently if the database is still down at that
 * moment; this keeps retrying with capped backoff until it is listening again or closed.
 *
 * @module
 */
import type postgres from "postgres";

/** How to open the listen connection and where notifications go. */
export interface ListenerOptions {
  /** The postgres.js factory, loaded by `PostgresStorage.connect` (so importing qml loads no driver). */
  driver: typeof postgres;
  /** Connection URL. */
  url: string;
  /** Channel to LISTEN on. */
  channel: string;
  /** Time allowed to open the connection (ms). */
  connectTimeoutMs: number;
  /** `application_name` prefix; the listen connection appends `:listen`. */
  applicationName: string;
  /** Called with each notification payload on the channel. */
  onPayload: (payload: string) => void;
  /** Called after LISTEN is (re-)established, e.g. to re-check for missed work. */
  onListen?: () => void;
}

const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 5_000;

/** A dedicated connection LISTENing on one channel, re-established after drops. */
export class NotificationListener {
  #opts: ListenerOptions;
  #sql: postgres.Sql;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #backoff = MIN_BACKOFF_MS;
  #listening: Promise<void> | null = null;

  /** Prepare the listener; nothing connects until {@link start}. */
  constructor(opts: ListenerOptions) {
    this.#opts = opts;
    // `onnotify` is supported by postgres.js but missing from its typings.
    const options = {
      max: 1,
      idle_timeout: 0,
      max_lifetime: null,
      connect_timeout: Math.max(1, Math.ceil(opts.connectTimeoutMs / 1000)),
      fetch_types: false,
      onnotice: () => {},
      connection: { application_name: `${opts.applicationName}:listen` },
      onnotify: (channel: string, payload: string) => {
        if (channel === opts.channel) opts.onPayload(payload);
      },
      onclose: () => this.#scheduleRetry(),
    };
    this.#sql = opts.driver(opts.url, options as postgres.Options<Record<string, never>>);
  }

  /** Start listening; resolves once LISTEN succeeded (or failed: retries go on in the background). */
  start(): Promise<void> {
    if (!this.#listening) this.#listening = this.#listen();
    return this.#listening;
  }

  async #listen(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#sql.unsafe(`LISTEN "${this.#opts.channel}"`);
      this.#backoff = MIN_BACKOFF_MS;
      this.#opts.onListen?.();
    } catch {
      this.#scheduleRetry();
    }
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#timer !== undefined) return;
    const delay = this.#backoff;
    this.#backoff = Math.min(MAX_BACKOFF_MS, this.#backoff * 2);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#listening = this.#listen();
    }, delay);
  }

  /** Stop listening and close the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#listening?.catch(() => {});
    await this.#sql.end({ timeout: 0 });
  }
}
