// Public ids are a short prefix naming the object (pay_, re_, po_, txn_...) and a
// time-ordered random part, so support staff can read them aloud and sort by them.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower-case

export type IdPrefix =
  | "mer" | "usr" | "mem" | "ses" | "inv" | "term" | "pay" | "re" | "txn" | "po" | "ba" | "rc" | "evt" | "mail" | "chk" | "sms" | "we" | "whd" | "prt" | "rs" | "rsr" | "cus" | "pm" | "plan" | "sub" | "in" | "view" | "pwr" | "cu" | "spc";

function encodeTime(ms: number, len = 9): string {
  let out = "";
  let n = Math.floor(ms);
  for (let i = 0; i < len; i++) {
    out = ALPHABET[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array, len: number): string {
  let out = "";
  for (let i = 0; i < len; i++) out += ALPHABET[(bytes[i % bytes.length] ?? 0) % 32];
  return out;
}

// Random bytes drawn from the system's generator 12 at a time cost a call into it per id (a
// payment makes five ids): they are drawn 1 KiB at a time and handed out in order, never twice.
const pool = new Uint8Array(1020);
let poolAt = pool.length;

function randomBytes12(): Uint8Array {
  if (poolAt + 12 > pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const bytes = pool.subarray(poolAt, poolAt + 12);
  poolAt += 12;
  return bytes;
}

export function newId(prefix: IdPrefix, at: Date = new Date()): string {
  return `${prefix}_${encodeTime(at.getTime())}${encodeRandom(randomBytes12(), 12)}`;
}

/** Deterministic ids for the seed generator: same seed, same ids. */
export function seededId(prefix: IdPrefix, at: Date, next: () => number): string {
  const bytes = new Uint8Array(12);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256);
  return `${prefix}_${encodeTime(at.getTime())}${encodeRandom(bytes, 12)}`;
}
