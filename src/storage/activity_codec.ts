/**
 * The wire form of `activity` signals, shared by the backends that publish them through a
 * server (Postgres NOTIFY, Redis PUBLISH): a compact JSON array per message, split so that
 * no message exceeds the transport's payload limit.
 *
 * @module
 */
import type { JobChange, JobChangeType } from "../activity.ts";
import type { JobState } from "../job_state.ts";

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
 * order. A single change larger than the limit gets a message of its own.
 */
export function encodeChanges(
  changes: readonly JobChange[],
  maxBytes: number,
  prefix = "",
): string[] {
  const out: string[] = [];
  let parts: string[] = [];
  let size = prefix.length + 2;
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
export function activitySignal(json: string): { kind: "activity"; changes: JobChange[] } {
  let changes: JobChange[] | undefined;
  return {
    kind: "activity",
    get changes(): JobChange[] {
      if (changes === undefined) {
        try {
          changes = decodeChanges(json);
        } catch {
          changes = [];
        }
      }
      return changes;
    },
    set changes(value: JobChange[]) {
      changes = value;
    },
  };
}

/** The changes of one message written by {@link encodeChanges} (without its prefix). */
export function decodeChanges(json: string): JobChange[] {
  const wire = JSON.parse(json) as WireChange[];
  return wire.map((w) => {
    const c: JobChange = {
      type: w.t,
      id: w.i,
      queue: w.q,
      method: w.m,
      state: w.s,
      at: new Date(w.a),
    };
    if (w.p !== undefined) c.progress = w.p;
    return c;
  });
}
