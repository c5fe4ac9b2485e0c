import { randomFillSync } from "node:crypto";

// Random bytes drawn from the system's generator a few at a time cost a call into it each
// (a CSP nonce per response, the sandbox's ids: three per API payment): they are drawn
// 4 KiB at a time and handed out in order, never twice (as Node does for randomUUID).
const pool = Buffer.allocUnsafe(4096);
let poolAt = pool.length;

/** `n` (at most 4,096) fresh random bytes, encoded. */
export function randomText(n: number, encoding: "base64" | "base64url" | "hex"): string {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const text = pool.toString(encoding, poolAt, poolAt + n);
  poolAt += n;
  return text;
}
