/**
 * A refusal a client can act on: HTTP status, a stable machine code, a sentence for
 * people and the field it is about. Domain functions return these (never throw them)
 * and the API renders them as { "error": { type, code, message, param } }.
 */
import { formatMoney, isCurrencyCode } from "~/lib/money";

export { failure, type Failure, type FailureType, type Result } from "~/lib/vocabulary";

/** "125,000 IRR" / "$12.50" for messages (server side, English). */
export function moneyText(amount: bigint, currency: string): string {
  return isCurrencyCode(currency) ? formatMoney(amount, currency, { locale: "en-US" }) : `${amount} ${currency}`;
}

/** The PostgreSQL error code under drizzle's wrapper (either driver). */
export function pgCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === "object"; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A create that carries an idempotency key. Two requests with one key that race past the
 * lookup both insert; the unique index refuses the second (23505), which then answers with
 * the row the first one made (`replayed`). Any other failure is thrown.
 */
export async function createOnce<T>(
  key: string | null | undefined,
  create: () => Promise<T>,
  earlier: (key: string) => Promise<T | undefined>,
): Promise<{ row: T; replayed: boolean }> {
  try {
    return { row: await create(), replayed: false };
  } catch (e) {
    if (pgCode(e) === "23505" && key) {
      const row = await earlier(key);
      if (row) return { row, replayed: true };
    }
    throw e;
  }
}
