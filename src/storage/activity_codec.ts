/**
 * The forms of `activity` signals. On the wire, shared by the backends that publish them
 * through a server (Postgres NOTIFY, Redis PUBLISH): a compact JSON array per message, split
 * so that no message exceeds the transport's payload limit; the count of omitted changes
 * rides as a `{"o": n}` element at the head of the first message. In process (memory,
 * SQLite): {@link activitySignalOf}.
 *
 * @module
 */
import type { JobChange, JobChangeType } from "../activity.ts";
import type { JobState } from "../job_state.ts";
import type { ActivityRecord, StorageSignal } from "./storage.ts";

/** The `activity` signal of a record, its changes copied; null when it carries nothing. */
export function activitySignalOf(record: ActivityRecord): StorageSignal | null {
  const omitted = record.omitted ?? 0;
  if (record.changes.length === 0 && omitted <= 0) return null;
  const changes = record.changes.map((c) => ({ ...c, at: new Date(c.at.getTime()) }));
  return omitted > 0 ? { kind: "activity", changes, omitted } : { kind: "activity", changes };
}

interface WireChange {
  t: JobChangeType;
  i: string;
  q: string;
  m: string;
  s: JobState;
  a: number;
  p?: number;
}

/** UTF-8 length of `s` without encoding it (a lone surrogate counts as U+FFFD, 3 bytes). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // a pair: 4 bytes for 2 code units
        i++;
      } else n += 2;
    } else n += 2;
  }
  return n;
}

function toWire(c: JobChange): WireChange {
  const w: WireChange = {
    t: c.type,
    i: c.id,
    q: c.queue,
    m: c.method,
    s: c.state,
    a: c.at.getTime(),
  };
  if (c.progress !== undefined) w.p = c.progress;
  return w;
}

/**
 * The changes as JSON arrays of at most `maxBytes` UTF-8 bytes each (after `prefix`), in
 * order, the first headed by the `omitted` count when above 0. A single change larger than
 * the limit gets a message of its own.
 */
export function encodeChanges(
  changes: readonly JobChange[],
  maxBytes: number,
  prefix = "",
  omitted = 0,
): string[] {
  const out: string[] = [];
  let parts: string[] = omitted > 0 ? [JSON.stringify({ o: omitted })] : [];
  let size = prefix.length + 2 + (parts[0]?.length ?? 0);
  for (const c of changes) {
    const json = JSON.stringify(toWire(c));
    const bytes = utf8Length(json) + 1;
    if (parts.length > 0 && size + bytes > maxBytes) {
      out.push(`${prefix}[${parts.join(",")}]`);
      parts = [];
      size = prefix.length + 2;
    }
    parts.push(json);
    size += bytes;
  }
  if (parts.length > 0) out.push(`${prefix}[${parts.join(",")}]`);
  return out;
}

/**
 * The `activity` signal of one message written by {@link encodeChanges} (without its
 * prefix), decoded when a subscriber first reads `changes`: every server hears the activity
 * of every server on the channel, and its own subscription only wants wake-ups. A message
 * that does not decode reads as no changes.
 */
export function activitySignal(
  json: string,
): { kind: "activity"; changes: JobChange[]; omitted?: number } {
  let decoded: { changes: JobChange[]; omitted: number } | undefined;
  const read = () => {
    if (decoded === undefined) {
      try {
        decoded = decodeChanges(json);
      } catch {
        decoded = { changes: [], omitted: 0 };
      }
    }
    return decoded;
  };
  return {
    kind: "activity",
    get changes(): JobChange[] {
      return read().changes;
    },
    set changes(value: JobChange[]) {
      read().changes = value;
    },
    get omitted(): number | undefined {
      return read().omitted || undefined;
    },
    set omitted(value: number | undefined) {
      read().omitted = value ?? 0;
    },
  };
}

/**
 * The changes of one message written by {@link encodeChanges} (without its prefix), and
 * the omitted count it carries (0 when none).
 */
export function decodeChanges(json: string): { changes: JobChange[]; omitted: number } {
  const wire = JSON.parse(json) as (WireChange | { o: number })[];
  let omitted = 0;
  const changes: JobChange[] = [];
  for (const w of wire) {
    if ("o" in w) {
      if (typeof w.o === "number" && w.o > 0) omitted += w.o;
      continue;
    }
    const c: JobChange = {
      type: w.t,
      id: w.i,
      queue: w.q,
      method: w.m,
      state: w.s,
      at: new Date(w.a),
    };
    if (w.p !== undefined) c.progress = w.p;
    changes.push(c);
  }
  return { changes, omitted };
}
