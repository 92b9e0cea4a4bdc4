/**
 * Time-ordered job ids (UUIDv7, RFC 9562): sorting ids sorts jobs by creation
 * time, which gives cursor pagination and index locality for free.
 *
 * @module
 */

let lastMs = 0;
let seq = 0;

// Every job gets an id, so ids are built without BigInt or per-id arrays: the random bits
// come from a pool refilled by `crypto.getRandomValues` (the same source, fewer calls) and
// each byte is written through a table of its two hex digits.
const HEX: string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
const POOL = new Uint8Array(8 * 1024);
let poolAt = POOL.length;

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
  return HEX[(hi >>> 8) & 0xff] + HEX[hi & 0xff] + HEX[lo >>> 24] + HEX[(lo >>> 16) & 0xff] +
    "-" + HEX[(lo >>> 8) & 0xff] + HEX[lo & 0xff] +
    "-" + HEX[0x70 | ((seq >> 8) & 0x0f)] + HEX[seq & 0xff] +
    "-" + HEX[(r[k] & 0x3f) | 0x80] + HEX[r[k + 1]] +
    "-" + HEX[r[k + 2]] + HEX[r[k + 3]] + HEX[r[k + 4]] + HEX[r[k + 5]] + HEX[r[k + 6]] +
    HEX[r[k + 7]];
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` has the shape of a UUID (any version). */
export function isUuid(id: string): boolean {
  return UUID_RE.test(id);
}
