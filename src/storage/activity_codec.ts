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

const encoder = new TextEncoder();

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
    const bytes = encoder.encode(json).length + 1;
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
