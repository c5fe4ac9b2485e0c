/**
 * A refusal a client can act on: HTTP status, a stable machine code, a sentence for
 * people and the field it is about. Domain functions return these (never throw them)
 * and the API renders them as { "error": { type, code, message, param } }.
 */
import { formatMoney, isCurrencyCode } from "~/lib/money";

export type FailureType =
  | "invalid_request_error"
  | "card_error"
  | "authentication_error"
  | "permission_error"
  | "idempotency_error"
  | "api_error";

export interface Failure {
  status: number;
  type: FailureType;
  code: string;
  message: string;
  param: string | null;
  /** Extra machine-readable facts (e.g. refundable for amount_exceeds_refundable). */
  details?: Record<string, string | number | boolean | null>;
}

export type Result<T> = ({ ok: true } & T) | { ok: false; error: Failure };

export function failure(
  status: number,
  code: string,
  message: string,
  param: string | null = null,
  type: FailureType = "invalid_request_error",
  details?: Failure["details"],
): { ok: false; error: Failure } {
  return { ok: false, error: { status, type, code, message, param, ...(details ? { details } : {}) } };
}

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
