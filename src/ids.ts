/**
 * Time-ordered job ids (UUIDv7, RFC 9562): sorting ids sorts jobs by creation
 * time, which gives cursor pagination and index locality for free.
 *
 * @module
 */

let lastMs = 0;
let seq = 0;

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
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  const ms = BigInt(nowMs);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | ((seq >> 8) & 0x0f);
  bytes[7] = seq & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` has the shape of a UUID (any version). */
export function isUuid(id: string): boolean {
  return UUID_RE.test(id);
}
