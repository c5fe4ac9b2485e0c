/**
 * Parsing API input into domain values, with a reason a developer can act on and the
 * parameter it is about. Pure (no database), so it is unit-tested on its own.
 */
import { PAYMENT_STATUSES, REFUND_REASONS } from "~/lib/vocabulary";
import { z } from "zod";
import { detectCard, impossiblePan, isExpired, luhnValid, normalizePan } from "~/lib/card";
import type { CardDetails } from "~/modules/processors/types";
import { parseMinorAmount, problem, zodProblem, type InputProblem, type Parsed } from "~/web/edge/json-input";

const trimmedText = (max: number) =>
  z
    .string({ invalid_type_error: "must be a string" })
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(s), "must not contain control characters")
    .nullable()
    .optional();

const monthSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === "number" ? v : /^[0-9]{1,2}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 12) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must be a month from 1 to 12" });
    return z.NEVER;
  }
  return n;
});

const yearSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const s = typeof v === "number" ? String(v) : v.trim();
  if (!/^([0-9]{2}|[0-9]{4})$/.test(s)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must be a two- or four-digit year" });
    return z.NEVER;
  }
  return s.length === 2 ? 2000 + Number(s) : Number(s);
});

export const cardSchema = z
  .object({
    number: z.string({ invalid_type_error: "must be a string of digits" }).max(40, "is too long"),
    exp_month: monthSchema,
    exp_year: yearSchema,
    cvc: z.union([z.string(), z.number()]).transform((v) => String(v)),
  })
  .strict();

export const createPaymentSchema = z
  .object({
    amount: z.unknown(),
    currency: z
      .string({ invalid_type_error: "must be a three-letter currency code" })
      .regex(/^[A-Za-z]{3}$/, "must be a three-letter currency code like IRR or USD"),
    card: cardSchema.optional(),
    token: z.string({ invalid_type_error: "must be a string" }).max(100, "is too long").optional(),
    description: trimmedText(500),
    customer_reference: trimmedText(200),
    capture: z.boolean({ invalid_type_error: "must be true or false" }).optional(),
  })
  .strict();

export interface CreatePaymentParams {
  amount: bigint;
  currency: string;
  card?: CardDetails;
  token?: string;
  description: string | null;
  customerReference: string | null;
  capture: boolean;
}

/** Checks a card the way the provider will, so a typo is refused before anything happens. */
export function checkCard(card: CardDetails, now: Date, prefix = "card"): InputProblem | null {
  const pan = normalizePan(card.number);
  if (!/^[0-9]+$/.test(pan)) {
    return { param: `${prefix}[number]`, code: "invalid_number", message: "The card number must contain only digits." };
  }
  if (pan.length < 12 || pan.length > 19) {
    return { param: `${prefix}[number]`, code: "invalid_number", message: "The card number must have 12 to 19 digits." };
  }
  const info = detectCard(pan);
  const impossible = impossiblePan(pan);
  if (impossible === "zeros" || impossible === "bin") {
    return { param: `${prefix}[number]`, code: "card_number_invalid", message: "No card issuer uses this number (it is all zeros or starts with 0): check the digits." };
  }
  if (impossible === "brand_length") {
    return { param: `${prefix}[number]`, code: "card_number_invalid", message: `A ${info.brand} card number has ${info.lengths.join(" or ")} digits.` };
  }
  if (!luhnValid(pan)) {
    return { param: `${prefix}[number]`, code: "invalid_number", message: "The card number is not valid (its check digit is wrong): check the digits." };
  }
  if (isExpired({ month: card.expMonth, year: card.expYear }, now)) {
    return {
      param: `${prefix}[exp_year]`,
      code: "expired_card",
      message: `The card expired at the end of ${String(card.expMonth).padStart(2, "0")}/${card.expYear}.`,
    };
  }
  if (card.expYear > now.getUTCFullYear() + 25) {
    return { param: `${prefix}[exp_year]`, code: "invalid_expiry", message: "The expiry year is too far in the future." };
  }
  const cvc = card.cvc.trim();
  if (!/^[0-9]+$/.test(cvc) || !info.cvcLengths.includes(cvc.length)) {
    return {
      param: `${prefix}[cvc]`,
      code: "invalid_cvc",
      message: `The security code (CVC) must be ${info.cvcLengths.join(" or ")} digits.`,
    };
  }
  return null;
}

export function parseCreatePayment(body: unknown, now: Date): Parsed<CreatePaymentParams> {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return problem("body", "body_invalid", "The request body must be a JSON object.");
  }
  const r = createPaymentSchema.safeParse(body);
  if (!r.success) return { ok: false, problem: zodProblem(r.error) };
  const v = r.data;
  const currency = v.currency.toUpperCase();
  const amount = parseMinorAmount(v.amount, currency);
  if (!amount.ok) return amount;
  if (v.card && v.token) return problem("token", "parameter_conflict", "Send either card or token, not both.");
  if (!v.card && !v.token) return problem("card", "parameter_missing", "card is required (or a sandbox token).");
  let card: CardDetails | undefined;
  if (v.card) {
    card = { number: normalizePan(v.card.number), expMonth: v.card.exp_month, expYear: v.card.exp_year, cvc: v.card.cvc.trim() };
    const bad = checkCard(card, now);
    if (bad) return { ok: false, problem: bad };
  }
  return {
    ok: true,
    value: {
      amount: amount.value,
      currency,
      card,
      token: v.token,
      description: v.description?.trim() || null,
      customerReference: v.customer_reference?.trim() || null,
      capture: v.capture ?? true,
    },
  };
}


export const createRefundSchema = z
  .object({
    amount: z.unknown(),
    reason: z
      .enum(REFUND_REASONS, {
        errorMap: () => ({ message: `must be one of ${REFUND_REASONS.join(", ")}` }),
      })
      .optional(),
    note: trimmedText(1000),
  })
  .strict();

export interface CreateRefundParams {
  amount: bigint | null;
  reason: (typeof REFUND_REASONS)[number];
  note: string | null;
}

export function parseCreateRefund(body: unknown, currency: string): Parsed<CreateRefundParams> {
  if (body === undefined || body === null) body = {};
  if (typeof body !== "object" || Array.isArray(body)) {
    return problem("body", "body_invalid", "The request body must be a JSON object.");
  }
  const r = createRefundSchema.safeParse(body);
  if (!r.success) return { ok: false, problem: zodProblem(r.error) };
  let amount: bigint | null = null;
  if (r.data.amount !== undefined && r.data.amount !== null) {
    const a = parseMinorAmount(r.data.amount, currency);
    if (!a.ok) return a;
    amount = a.value;
  }
  return { ok: true, value: { amount, reason: r.data.reason ?? "requested_by_customer", note: r.data.note?.trim() || null } };
}

/** capture and void take no parameters; anything sent is a mistake worth naming. */
export function parseEmpty(body: unknown): Parsed<null> {
  if (body === undefined || body === null) return { ok: true, value: null };
  if (typeof body !== "object" || Array.isArray(body)) return problem("body", "body_invalid", "The request body must be a JSON object.");
  const keys = Object.keys(body);
  if (keys.length > 0) {
    const k = keys[0]!;
    const hint = k === "amount" ? " Partial capture is not supported: the whole authorized amount is captured." : "";
    return problem(k, "parameter_unknown", `Unknown parameter: ${k}.${hint}`);
  }
  return { ok: true, value: null };
}



export interface ListParams {
  limit: number;
  cursor?: string;
  status?: (typeof PAYMENT_STATUSES)[number][];
  terminalId?: string;
  createdGte?: Date;
  createdLt?: Date;
  last4?: string;
  customerReference?: string;
}

const LIST_KEYS = new Set(["limit", "cursor", "status", "terminal_id", "created_gte", "created_lt", "last4", "customer_reference"]);

function parseInstant(s: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(s)) return null;
  const d = new Date(s.length === 10 ? `${s}T00:00:00Z` : s);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function parseListQuery(params: URLSearchParams): Parsed<ListParams> {
  for (const k of params.keys()) {
    if (!LIST_KEYS.has(k)) return problem(k, "parameter_unknown", `Unknown query parameter: ${k}.`);
  }
  const out: ListParams = { limit: 20 };
  const limit = params.get("limit");
  if (limit !== null) {
    if (!/^[0-9]{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > 100) {
      return problem("limit", "parameter_invalid", "limit must be a whole number from 1 to 100.");
    }
    out.limit = Number(limit);
  }
  const cursor = params.get("cursor");
  if (cursor) out.cursor = cursor;
  const statuses = params.getAll("status").flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  if (statuses.length) {
    const bad = statuses.find((s) => !(PAYMENT_STATUSES as readonly string[]).includes(s));
    if (bad) return problem("status", "parameter_invalid", `status must be one of ${PAYMENT_STATUSES.join(", ")} (got "${bad.slice(0, 40)}").`);
    out.status = statuses as ListParams["status"];
  }
  const terminal = params.get("terminal_id");
  if (terminal) {
    if (terminal.length > 100) return problem("terminal_id", "parameter_invalid", "terminal_id is too long.");
    out.terminalId = terminal;
  }
  for (const [key, field] of [["created_gte", "createdGte"], ["created_lt", "createdLt"]] as const) {
    const v = params.get(key);
    if (v) {
      const d = parseInstant(v);
      if (!d) return problem(key, "parameter_invalid", `${key} must be an ISO 8601 date or time, like 2025-01-31 or 2025-01-31T12:00:00Z.`);
      out[field] = d;
    }
  }
  const last4 = params.get("last4");
  if (last4) {
    if (!/^[0-9]{4}$/.test(last4)) return problem("last4", "parameter_invalid", "last4 must be exactly four digits.");
    out.last4 = last4;
  }
  const ref = params.get("customer_reference");
  if (ref) {
    if (ref.length > 200) return problem("customer_reference", "parameter_invalid", "customer_reference is too long.");
    out.customerReference = ref;
  }
  return { ok: true, value: out };
}
