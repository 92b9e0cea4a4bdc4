/**
 * Time-ordered job ids (UUIDv7, RFC 9562): sorting ids sorts jobs by creation
 * time, which gives cursor pagination and index locality for free.
 *
 * @module
 */

let lastMs = 0;
let seq = 0;

// Every job gets an id, so ids are built without BigInt or per-id arrays: the random bits
// come from a pool refilled by `crypto.getRandomValues` (the same source, fewer calls), and
// the 36 character codes are written into one reused array and made a string in one call.
// (Concatenating hex pairs built the same text as a tree of some twenty rope pieces per id,
// which lived until the id was first hashed: a bulk enqueue spent more time copying those
// trees in the young-generation GC than building anything else.)
const HEX_DIGIT = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
const CODES: number[] = Array.from("00000000-0000-0000-0000-000000000000", (c) => c.charCodeAt(0));
const POOL = new Uint8Array(8 * 1024);
let poolAt = POOL.length;

// Write byte `b` as two hex digits at `CODES[at]`.
function hexByte(at: number, b: number): void {
  CODES[at] = HEX_DIGIT[b >>> 4];
  CODES[at + 1] = HEX_DIGIT[b & 0x0f];
}

/** A new UUIDv7 string; monotonic within this isolate even within one millisecond. */
export function uuidv7(nowMs: number = Date.now()): string {
  if (nowMs <= lastMs) {
    // Same (or earlier) millisecond: bump a 12-bit sequence kept in rand_a so
    // ids created in a burst still sort in creation order.
    seq++;
    if (seq > 0xfff) {
      lastMs++;
      seq = 0;
    }
    nowMs = lastMs;
  } else {
    lastMs = nowMs;
    seq = 0;
  }
  if (poolAt + 8 > POOL.length) {
    crypto.getRandomValues(POOL);
    poolAt = 0;
  }
  const r = POOL, k = poolAt;
  poolAt += 8;
  // 48 bits of milliseconds: the high 16 and low 32 separately (exact in doubles).
  const hi = Math.floor(nowMs / 0x1_0000_0000);
  const lo = nowMs >>> 0;
  hexByte(0, (hi >>> 8) & 0xff);
  hexByte(2, hi & 0xff);
  hexByte(4, lo >>> 24);
  hexByte(6, (lo >>> 16) & 0xff);
  hexByte(9, (lo >>> 8) & 0xff);
  hexByte(11, lo & 0xff);
  hexByte(14, 0x70 | ((seq >> 8) & 0x0f));
  hexByte(16, seq & 0xff);
  hexByte(19, (r[k] & 0x3f) | 0x80);
  hexByte(21, r[k + 1]);
  for (let i = 0; i < 6; i++) hexByte(24 + 2 * i, r[k + 2 + i]);
  return String.fromCharCode.apply(null, CODES);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` has the shape of a UUID (any version). */
export function isUuid(id: string): boolean {
  return UUID_RE.test(id);
}
