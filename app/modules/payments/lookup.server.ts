/**
 * Support's "the customer says they paid" lookup: the customer knows the last four
 * digits of their card, roughly how much (often in toman, often in Persian digits),
 * roughly when (a day or a few, in their calendar) and maybe the trace number on
 * their receipt or bank SMS. This finds the payments that fit, closest amount first,
 * and says for each in plain words whether money moved. The receipt link it gives is
 * the public one the customer can open without signing in.
 */
import { sql } from "drizzle-orm";
import { db, rows } from "~db/client.server";
import { isValidLocalDateKey, addLocalDays, parseLocalDateKey } from "~/lib/dates/zones";
import { normalizeDayInput } from "~/lib/day-input";
import { isCurrencyCode, parseAmount, type ParseAmountResult } from "~/lib/money";
import { receiptPath, traceNumber } from "./receipts.server";

/** An amount counts as "about" the customer's when within this share of it (10%). */
export const LOOKUP_TOLERANCE_PERCENT = 10n;
/** The widest window, in days: a lookup is for a payment the customer remembers. */
export const LOOKUP_MAX_DAYS = 31;
const MAX_MATCHES = 20;

export interface LookupInput {
  last4: string;
  amount: string;
  /** How the amount was said: "toman" (IRR only) or the currency's own unit. */
  unit: "toman" | "major";
  from: string;
  to: string;
  trace: string;
}

export type LookupField = "last4" | "amount" | "from" | "to" | "trace";

/** Where the money is, as support says it to the customer. */
export type MoneyVerdict =
  | "captured" // taken from the card, nothing refunded
  | "partially_refunded"
  | "refunded" // taken, then all of it returned
  | "authorized" // held on the card, not yet taken
  | "reversed" // held, then released (voided): nothing taken
  | "declined" // refused: nothing taken
  | "pending"; // the bank has not answered; the inquiry job asks every minute

export interface LookupMatch {
  id: string;
  status: string;
  verdict: MoneyVerdict;
  amount: string;
  amountRefunded: string;
  currency: string;
  cardBin: string | null;
  cardLast4: string | null;
  cardBrand: string;
  declineCode: string | null;
  createdAt: string;
  capturedAt: string | null;
  voidedAt: string | null;
  lastRefundAt: string | null;
  traceNumber: string;
  traceMatches: boolean | null;
  paymentLinkId: string | null;
  terminalName: string;
  terminalKind: string | null;
  /** The public receipt, to send to the customer (absolute when an origin is given). */
  receiptUrl: string;
}

export type LookupResult =
  | { ok: true; matches: LookupMatch[]; lowAmount: string; highAmount: string; traceMissed: boolean }
  | { ok: false; errors: Partial<Record<LookupField, { code: string; params?: Record<string, string | number> }>>; amountError?: Extract<ParseAmountResult, { ok: false }> };

const toLatin = (s: string) => s.replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0)).replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660));

export function verdictOf(p: { status: string; amount: bigint; amountRefunded: bigint }): MoneyVerdict {
  switch (p.status) {
    case "captured":
      return p.amountRefunded <= 0n ? "captured" : p.amountRefunded >= p.amount ? "refunded" : "partially_refunded";
    case "authorized":
      return "authorized";
    case "voided":
      return "reversed";
    case "pending":
      return "pending";
    default:
      return "declined";
  }
}

/**
 * Finds the merchant's payments with that card ending, an amount within 10% of the one
 * said, made in the window (merchant's days, both ends included). A trace number, when
 * given, narrows to the payment that has it; when none has it, the others are still shown
 * (traceMissed), since customers misread receipts.
 */
export async function lookupPayment(
  scope: { merchantId: string; timeZone: string; currency: string },
  input: LookupInput,
  opts: { origin?: string } = {},
): Promise<LookupResult> {
  const errors: Extract<LookupResult, { ok: false }>["errors"] = {};
  let amountError: Extract<ParseAmountResult, { ok: false }> | undefined;
  const last4 = toLatin(input.last4).replace(/[\s*•·\-]/g, "");
  if (!/^[0-9]{4}$/.test(last4)) errors.last4 = { code: "last4" };

  let amount: bigint | null = null;
  if (!isCurrencyCode(scope.currency)) errors.amount = { code: "currency" };
  else {
    const unit = input.unit === "toman" && scope.currency === "IRR" ? "toman" : "major";
    const r = parseAmount(input.amount, scope.currency, { unit });
    if (r.ok) amount = r.minor;
    else {
      errors.amount = { code: "amount" };
      amountError = r;
    }
  }

  const fromKey = normalizeDayInput(toLatin(input.from));
  const toKey = normalizeDayInput(toLatin(input.to)) || fromKey;
  if (!isValidLocalDateKey(fromKey)) errors.from = { code: "day" };
  if (!isValidLocalDateKey(toKey) && input.to.trim() !== "") errors.to = { code: "day" };
  let from: Date | null = null;
  let to: Date | null = null;
  if (!errors.from && !errors.to) {
    from = parseLocalDateKey(fromKey, scope.timeZone);
    to = addLocalDays(parseLocalDateKey(toKey, scope.timeZone), 1, scope.timeZone);
    if (to.getTime() <= from.getTime()) errors.to = { code: "before" };
    else if (to.getTime() - from.getTime() > (LOOKUP_MAX_DAYS + 1) * 86_400_000) errors.to = { code: "wide", params: { max: LOOKUP_MAX_DAYS } };
  }
  const trace = toLatin(input.trace).replace(/\s/g, "");
  if (trace !== "" && !/^[0-9]{6}$/.test(trace)) errors.trace = { code: "trace" };
  if (Object.keys(errors).length || amount === null || !from || !to) return { ok: false, errors, ...(amountError ? { amountError } : {}) };

  const low = amount - (amount * LOOKUP_TOLERANCE_PERCENT) / 100n;
  const high = amount + (amount * LOOKUP_TOLERANCE_PERCENT) / 100n;
  const found = await rows<{
    id: string;
    status: string;
    amount: string;
    amount_refunded: string;
    currency: string;
    card_bin: string | null;
    card_last4: string | null;
    card_brand: string;
    decline_code: string | null;
    created_at: Date | string;
    captured_at: Date | string | null;
    voided_at: Date | string | null;
    last_refund_at: Date | string | null;
    payment_link_id: string | null;
    terminal_name: string | null;
    terminal_kind: string | null;
    terminal_id: string;
  }>(
    db(),
    sql`select p.id, p.status::text as status, p.amount::text as amount, p.amount_refunded::text as amount_refunded, p.currency,
               p.card_bin, p.card_last4, p.card_brand::text as card_brand, p.decline_code, p.created_at, p.captured_at, p.voided_at,
               (select max(r.created_at) from refunds r where r.merchant_id = p.merchant_id and r.payment_id = p.id and r.status <> 'failed') as last_refund_at,
               p.payment_link_id, t.name as terminal_name, t.kind::text as terminal_kind, p.terminal_id
          from payments p
          left join terminals t on t.merchant_id = p.merchant_id and t.id = p.terminal_id
         where p.merchant_id = ${scope.merchantId} and p.card_last4 = ${last4}
           and p.created_at >= ${from.toISOString()}::timestamptz and p.created_at < ${to.toISOString()}::timestamptz
           and p.amount between ${low.toString()}::bigint and ${high.toString()}::bigint
         order by abs(p.amount - ${amount.toString()}::bigint), p.created_at desc
         limit 200`,
  );
  const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  let candidates = found.map((r) => ({ r, trace: traceNumber(r.id) }));
  let traceMissed = false;
  if (trace) {
    const hit = candidates.filter((c) => c.trace === trace);
    if (hit.length) candidates = hit;
    else traceMissed = candidates.length > 0;
  }
  const origin = opts.origin ?? "";
  const matches: LookupMatch[] = [];
  for (const { r, trace: tn } of candidates.slice(0, MAX_MATCHES)) {
    matches.push({
      id: r.id,
      status: r.status,
      verdict: verdictOf({ status: r.status, amount: BigInt(r.amount), amountRefunded: BigInt(r.amount_refunded) }),
      amount: r.amount,
      amountRefunded: r.amount_refunded,
      currency: r.currency,
      cardBin: r.card_bin,
      cardLast4: r.card_last4,
      cardBrand: r.card_brand,
      declineCode: r.decline_code,
      createdAt: iso(r.created_at)!,
      capturedAt: iso(r.captured_at),
      voidedAt: iso(r.voided_at),
      lastRefundAt: iso(r.last_refund_at),
      traceNumber: tn,
      traceMatches: trace ? tn === trace : null,
      paymentLinkId: r.payment_link_id,
      terminalName: r.terminal_name ?? r.terminal_id,
      terminalKind: r.terminal_kind,
      receiptUrl: `${origin}${await receiptPath(scope.merchantId, r.id)}`,
    });
  }
  return { ok: true, matches, lowAmount: low.toString(), highAmount: high.toString(), traceMissed };
}
