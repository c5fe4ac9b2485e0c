/**
 * Deterministic demo ledger generator (pure: no database). It produces the rows of
 * one merchant's history through the same ledger and rollup rules the app uses
 * (app/modules/ledger/postings.ts and rollup.ts) and the same settlement calendar,
 * so every figure the console shows ties out. Same seed, same rows.
 */
import { seededId } from "~/lib/ids";
import { localDateKey, zonedTimeToUtc } from "~/lib/dates";
import {
  chargePosting,
  computeFee,
  payoutFailurePosting,
  payoutPaidPosting,
  payoutPosting,
  refundFailurePosting,
  refundPosting,
  type LedgerTransactionDraft,
} from "~/modules/ledger/postings";
import {
  addDelta,
  attemptDelta,
  captureDelta,
  declineDelta,
  emptyDelta,
  refundDelta,
  rollupKeyString,
  type RollupDelta,
  type RollupKey,
} from "~/modules/ledger/rollup";
import {
  addBusinessDays,
  cutoffsBetween,
  expectedArrival,
  nextCutoff,
  settlementDayOf,
  type SettlementCalendar,
} from "~/modules/settlements/calendar";
import type { MerchantSpec } from "./merchants";

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashSeed(seed: number, salt: string): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 16777619);
  return h >>> 0;
}

function pickWeighted<T extends { weight: number }>(items: readonly T[], r: number): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let x = r * total;
  for (const item of items) {
    x -= item.weight;
    if (x <= 0) return item;
  }
  return items[items.length - 1]!;
}

function normal(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export type PaymentStatus = "pending" | "authorized" | "captured" | "declined" | "voided" | "failed";

export interface PaymentRow {
  merchantId: string;
  id: string;
  terminalId: string;
  amount: bigint;
  currency: string;
  status: PaymentStatus;
  amountRefunded: bigint;
  fee: bigint;
  cardToken: string;
  cardBrand: "visa" | "mastercard" | "amex" | "shetab";
  cardFunding: "credit" | "debit" | "prepaid";
  cardBin: string;
  cardLast4: string;
  cardExpMonth: number;
  cardExpYear: number;
  issuerBank: string;
  processorId: string;
  providerReference: string | null;
  declineCode: string | null;
  failureMessage: string | null;
  description: string | null;
  customerReference: string | null;
  createdAt: Date;
  authorizedAt: Date | null;
  capturedAt: Date | null;
  voidedAt: Date | null;
  updatedAt: Date;
}

export interface RefundRow {
  merchantId: string;
  id: string;
  paymentId: string;
  amount: bigint;
  currency: string;
  reason: "requested_by_customer" | "duplicate" | "fraudulent" | "other";
  note: string | null;
  status: "succeeded" | "failed";
  providerReference: string;
  failureCode: string | null;
  createdByUserId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PayoutRow {
  merchantId: string;
  id: string;
  amount: bigint;
  currency: string;
  status: "pending" | "in_transit" | "paid" | "failed";
  bankAccountId: string;
  bankAccountMask: string;
  bankName: string;
  cutoffAt: Date;
  expectedArrivalDate: string;
  itemCount: number;
  createdAt: Date;
  sentAt: Date | null;
  paidAt: Date | null;
  failedAt: Date | null;
  failureCode: string | null;
  failureMessage: string | null;
  traceNumber: string | null;
  updatedAt: Date;
}

export interface GeneratedLedger {
  payments: PaymentRow[];
  refunds: RefundRow[];
  ledger: LedgerTransactionDraft[];
  payouts: PayoutRow[];
  payoutItems: { merchantId: string; ledgerTransactionId: string; payoutId: string; createdAt: Date }[];
  rollups: RollupDelta[];
}

const DECLINES = [
  { code: "insufficient_funds", message: "The card has insufficient funds.", weight: 40, status: "declined" as const },
  { code: "do_not_honor", message: "The issuing bank declined the payment without a reason.", weight: 24, status: "declined" as const },
  { code: "expired_card", message: "The card has expired.", weight: 9, status: "declined" as const },
  { code: "incorrect_cvc", message: "The security code (CVC) is incorrect.", weight: 11, status: "declined" as const },
  { code: "lost_or_stolen", message: "The card was reported lost or stolen.", weight: 4, status: "declined" as const },
  { code: "processing_error", message: "The provider could not process the payment.", weight: 12, status: "failed" as const },
];

const PAYOUT_FAILURES = [
  { code: "account_closed", message: "The bank account has been closed." },
  { code: "could_not_process", message: "The bank could not process this payout." },
  { code: "invalid_account_number", message: "The bank rejected the account number." },
];

export interface GenerateOptions {
  seed: number;
  payments: number;
  days: number;
  now: Date;
  calendar: SettlementCalendar;
  bankAccountId: string;
  bankAccountMask: string;
  refundUserIds: string[];
}

export function generateMerchantLedger(spec: MerchantSpec, opts: GenerateOptions): GeneratedLedger {
  const rng = mulberry32(hashSeed(opts.seed, spec.id));
  const idRng = mulberry32(hashSeed(opts.seed, spec.id + ":ids"));
  const tz = spec.timeZone;
  const now = opts.now;
  const todayKey = localDateKey(now, tz);
  const [ty, tm, td] = todayKey.split("-").map(Number) as [number, number, number];

  // Day weights: weekday seasonality, a growth trend, and day-to-day noise.
  const dayKeys: string[] = [];
  const weights: number[] = [];
  for (let i = opts.days - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(ty, tm - 1, td - i));
    const key = d.toISOString().slice(0, 10);
    const weekday = d.getUTCDay();
    const growth = 0.7 + 0.6 * ((opts.days - 1 - i) / Math.max(opts.days - 1, 1));
    const noise = Math.max(0.5, 1 + 0.12 * normal(rng));
    // A quieter fortnight around the new year in each calendar (Nowruz, December holidays).
    const mmdd = key.slice(5);
    const holidayDip = spec.currency === "IRR" ? (mmdd >= "03-20" && mmdd <= "04-02" ? 0.55 : 1) : mmdd >= "12-20" ? 1.35 : 1;
    dayKeys.push(key);
    weights.push(spec.weekday[weekday]! * growth * noise * holidayDip);
  }
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  const hourWeights = spec.hourly.map((weight, hour) => ({ hour, weight }));

  const payments: PaymentRow[] = [];
  const ledger: LedgerTransactionDraft[] = [];
  const rollupMap = new Map<string, RollupDelta>();
  const addRollup = (d: RollupDelta) => {
    const k = rollupKeyString(d);
    const existing = rollupMap.get(k);
    if (existing) addDelta(existing, d);
    else rollupMap.set(k, addDelta(emptyDelta(d), d));
  };

  const plan = { feeBps: spec.feeBps, feeFixed: spec.feeFixed };
  let carry = 0;
  for (let di = 0; di < dayKeys.length; di++) {
    const exact = (opts.payments * weights[di]!) / totalWeight + carry;
    const count = Math.floor(exact);
    carry = exact - count;
    const [y, m, d] = dayKeys[di]!.split("-").map(Number) as [number, number, number];
    const times: Date[] = [];
    for (let k = 0; k < count; k++) {
      const hour = pickWeighted(hourWeights, rng()).hour;
      const minute = Math.floor(rng() * 60);
      const second = Math.floor(rng() * 60);
      const at = zonedTimeToUtc({ year: y, month: m, day: d, hour, minute, second }, tz);
      if (at.getTime() < now.getTime() - 60_000) times.push(at);
    }
    times.sort((a, b) => a.getTime() - b.getTime());
    for (const createdAt of times) {
      const terminal = pickWeighted(spec.terminals, rng());
      const card = pickWeighted(spec.cards, rng());
      const f = rng();
      const funding: PaymentRow["cardFunding"] =
        f < spec.funding.debit ? "debit" : f < spec.funding.debit + spec.funding.credit ? "credit" : "prepaid";
      let major = Math.exp(Math.log(spec.amount.median) + spec.amount.sigma * normal(rng));
      major = Math.min(Math.max(major, spec.amount.min), spec.amount.max);
      const amount = BigInt(Math.max(spec.amount.round, Math.round(major / spec.amount.round) * spec.amount.round));
      const last4 = String(Math.floor(rng() * 10000)).padStart(4, "0");
      const createdYear = createdAt.getUTCFullYear();
      const expYear = createdYear + 1 + Math.floor(rng() * 4);
      const expMonth = 1 + Math.floor(rng() * 12);
      const id = seededId("pay", createdAt, idRng);
      const descTemplate = spec.descriptions[Math.floor(rng() * spec.descriptions.length)]!;
      const orderNo = 10000 + payments.length;
      const description = descTemplate.replace("{n}", String(orderNo));
      const hasCustomerRef = terminal.kind === "api" && rng() < 0.7;
      const ageMs = now.getTime() - createdAt.getTime();

      let status: PaymentStatus = "captured";
      let decline: (typeof DECLINES)[number] | null = null;
      const r = rng();
      if (ageMs < 3 * 3600_000 && r < 0.08) status = "pending";
      else if (ageMs < 20 * 3600_000 && terminal.kind === "api" && r < 0.06) status = "authorized";
      else if (r < 0.07) {
        decline = pickWeighted(DECLINES, rng());
        status = decline.status;
      } else if (r < 0.072) status = "voided";

      const authorizedAt = status === "captured" || status === "authorized" || status === "voided" ? new Date(createdAt.getTime() + 900) : null;
      const capturedAt = status === "captured" ? new Date(createdAt.getTime() + 1400) : null;
      const voidedAt = status === "voided" ? new Date(createdAt.getTime() + 3600_000) : null;
      const fee = status === "captured" ? computeFee(amount, plan) : 0n;
      const row: PaymentRow = {
        merchantId: spec.id,
        id,
        terminalId: terminal.id,
        amount,
        currency: spec.currency,
        status,
        amountRefunded: 0n,
        fee,
        cardToken: `tok_${id.slice(4)}`,
        cardBrand: card.brand,
        cardFunding: funding,
        cardBin: card.bin,
        cardLast4: last4,
        cardExpMonth: expMonth,
        cardExpYear: expYear,
        issuerBank: card.issuer,
        processorId: "sandbox",
        providerReference: status === "pending" ? null : `sbx_auth_${id.slice(4)}`,
        declineCode: decline?.code ?? null,
        failureMessage: decline?.message ?? null,
        description,
        customerReference: hasCustomerRef ? `CUST-${1000 + Math.floor(rng() * 9000)}` : null,
        createdAt,
        authorizedAt,
        capturedAt,
        voidedAt,
        updatedAt: voidedAt ?? capturedAt ?? createdAt,
      };
      payments.push(row);

      const key: RollupKey = {
        merchantId: spec.id,
        day: localDateKey(createdAt, tz),
        terminalId: terminal.id,
        cardBrand: card.brand,
        issuerBank: card.issuer,
        cardFunding: funding,
        currency: spec.currency,
      };
      addRollup(attemptDelta(key));
      if (status === "declined" || status === "failed") addRollup(declineDelta(key));
      if (status === "captured") {
        addRollup(captureDelta({ ...key, day: localDateKey(capturedAt!, tz) }, amount, fee));
        ledger.push(
          chargePosting({
            id: seededId("txn", capturedAt!, idRng),
            merchantId: spec.id,
            currency: spec.currency,
            createdAt: capturedAt!,
            description: `Payment ${id}`,
            paymentId: id,
            amount,
            fee,
            availableOn: nextCutoff(capturedAt!, opts.calendar),
          }),
        );
      }
    }
  }

  // Refunds: about 2% of captured payments; full, partial, and several partials.
  const refunds: RefundRow[] = [];
  const reasons: RefundRow["reason"][] = ["requested_by_customer", "requested_by_customer", "requested_by_customer", "duplicate", "fraudulent", "other"];
  let failedRefunds = 0;
  for (const p of payments) {
    if (p.status !== "captured" || rng() >= 0.02) continue;
    const kind = rng();
    const parts: bigint[] = [];
    if (kind < 0.6) parts.push(p.amount);
    else if (kind < 0.9) parts.push(roundTo((p.amount * BigInt(30 + Math.floor(rng() * 40))) / 100n, spec.amount.round));
    else {
      const first = roundTo(p.amount / 3n, spec.amount.round);
      parts.push(first, roundTo(p.amount / 4n, spec.amount.round));
      if (rng() < 0.5) parts.push(p.amount - parts[0]! - parts[1]!);
    }
    let at = new Date(p.capturedAt!.getTime() + 3600_000 * (1 + rng() * 96));
    for (const part of parts) {
      if (part <= 0n || at.getTime() >= now.getTime()) break;
      const id = seededId("re", at, idRng);
      const reason = reasons[Math.floor(rng() * reasons.length)]!;
      const fails = failedRefunds < 2 && rng() < 0.03;
      const refund: RefundRow = {
        merchantId: spec.id,
        id,
        paymentId: p.id,
        amount: part,
        currency: spec.currency,
        reason,
        note: reason === "other" ? "Customer returned the item" : null,
        status: fails ? "failed" : "succeeded",
        providerReference: `sbx_re_${id.slice(3)}`,
        failureCode: fails ? "card_closed" : null,
        createdByUserId: opts.refundUserIds[Math.floor(rng() * opts.refundUserIds.length)] ?? null,
        createdAt: at,
        updatedAt: at,
      };
      refunds.push(refund);
      ledger.push(
        refundPosting({
          id: seededId("txn", at, idRng),
          merchantId: spec.id,
          currency: spec.currency,
          createdAt: at,
          description: `Refund ${id} of payment ${p.id}`,
          refundId: id,
          amount: part,
        }),
      );
      const key: RollupKey = {
        merchantId: spec.id,
        day: localDateKey(at, tz),
        terminalId: p.terminalId,
        cardBrand: p.cardBrand,
        issuerBank: p.issuerBank,
        cardFunding: p.cardFunding,
        currency: spec.currency,
      };
      addRollup(refundDelta(key, part));
      if (fails) {
        failedRefunds++;
        const failedAt = new Date(at.getTime() + 3600_000);
        refund.updatedAt = failedAt;
        ledger.push(
          refundFailurePosting({
            id: seededId("txn", failedAt, idRng),
            merchantId: spec.id,
            currency: spec.currency,
            createdAt: failedAt,
            description: `Refund ${id} failed: card closed`,
            refundId: id,
            amount: part,
          }),
        );
        addRollup(refundDelta({ ...key, day: localDateKey(failedAt, tz) }, part, -1));
      } else {
        p.amountRefunded += part;
        p.updatedAt = at;
      }
      at = new Date(at.getTime() + 3600_000 * (2 + rng() * 48));
    }
  }

  const { payouts, payoutItems, payoutLedger } = settle(spec, opts, ledger, rng, idRng);
  ledger.push(...payoutLedger);
  ledger.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  return { payments, refunds, ledger, payouts, payoutItems, rollups: [...rollupMap.values()] };
}

function roundTo(v: bigint, step: number): bigint {
  const s = BigInt(step);
  const r = (v / s) * s;
  return r > 0n ? r : v;
}

/** Replays every settlement cutoff from the first payment to now, like the payout engine. */
function settle(
  spec: MerchantSpec,
  opts: GenerateOptions,
  ledger: LedgerTransactionDraft[],
  rng: () => number,
  idRng: () => number,
) {
  const cal = opts.calendar;
  const now = opts.now;
  const pool = ledger
    .filter((t) => t.category !== "payout" && t.category !== "payout_paid")
    .sort((a, b) => a.availableOn.getTime() - b.availableOn.getTime());
  const payouts: PayoutRow[] = [];
  const payoutItems: GeneratedLedger["payoutItems"] = [];
  const payoutLedger: LedgerTransactionDraft[] = [];
  if (pool.length === 0) return { payouts, payoutItems, payoutLedger };

  const unpaid: LedgerTransactionDraft[] = [];
  let next = 0;
  // Failures injected later (a returned payout's money comes back as a balance transaction).
  const lateFailures: LedgerTransactionDraft[] = [];
  const first = pool[0]!.createdAt;
  const cutoffs = cutoffsBetween(first, now, cal);
  const failEvery = Math.max(25, Math.floor(cutoffs.length / 3));
  for (let ci = 0; ci < cutoffs.length; ci++) {
    const cutoff = cutoffs[ci]!;
    while (next < pool.length && pool[next]!.availableOn.getTime() <= cutoff.getTime()) unpaid.push(pool[next++]!);
    for (let i = lateFailures.length - 1; i >= 0; i--) {
      if (lateFailures[i]!.availableOn.getTime() <= cutoff.getTime()) {
        unpaid.push(lateFailures[i]!);
        lateFailures.splice(i, 1);
      }
    }
    if (unpaid.length === 0) continue;
    const total = unpaid.reduce((s, t) => s + t.net, 0n);
    if (total <= 0n || total < spec.minimumPayout) continue; // carries over to the next cutoff

    const createdAt = new Date(cutoff.getTime() + 5 * 60_000);
    const id = seededId("po", createdAt, idRng);
    const arrival = expectedArrival(cutoff, cal);
    // Sent to the bank the next business morning after the settlement day.
    const sendDay = addBusinessDays(settlementDayOf(cutoff, cal), 1, cal);
    const sentAt = atLocal(sendDay <= arrival ? sendDay : arrival, 8, cal);
    const paidAt = atLocal(arrival, 10, cal);
    const items = unpaid.splice(0, unpaid.length);
    const payout: PayoutRow = {
      merchantId: spec.id,
      id,
      amount: total,
      currency: spec.currency,
      status: "pending",
      bankAccountId: opts.bankAccountId,
      bankAccountMask: opts.bankAccountMask,
      bankName: spec.bank.bankName,
      cutoffAt: cutoff,
      expectedArrivalDate: arrival,
      itemCount: items.length,
      createdAt,
      sentAt: null,
      paidAt: null,
      failedAt: null,
      failureCode: null,
      failureMessage: null,
      traceNumber: null,
      updatedAt: createdAt,
    };
    payouts.push(payout);
    for (const item of items) payoutItems.push({ merchantId: spec.id, ledgerTransactionId: item.id, payoutId: id, createdAt });
    payoutLedger.push(
      payoutPosting({ id: seededId("txn", createdAt, idRng), merchantId: spec.id, currency: spec.currency, createdAt, description: `Payout ${id}`, payoutId: id, amount: total }),
    );
    if (sentAt.getTime() <= now.getTime()) {
      payout.status = "in_transit";
      payout.sentAt = sentAt;
      payout.traceNumber = `TRC${String(Math.floor(idRng() * 1e10)).padStart(10, "0")}`;
      payout.updatedAt = sentAt;
    }
    // A few payouts fail: returned by the bank (some after being marked paid).
    const shouldFail = ci > 0 && ci % failEvery === 0 && cutoff.getTime() < now.getTime() - 10 * 86400_000;
    if (shouldFail) {
      const reason = PAYOUT_FAILURES[payouts.length % PAYOUT_FAILURES.length]!;
      const wasPaid = payouts.length % 2 === 0;
      const failedAt = new Date((wasPaid ? paidAt : sentAt).getTime() + (wasPaid ? 2 : 1) * 86400_000);
      if (wasPaid) {
        payoutLedger.push(
          payoutPaidPosting({ id: seededId("txn", paidAt, idRng), merchantId: spec.id, currency: spec.currency, createdAt: paidAt, description: `Payout ${id} paid`, payoutId: id, amount: total }),
        );
        payout.paidAt = paidAt;
      }
      payout.status = "failed";
      payout.failedAt = failedAt;
      payout.failureCode = reason.code;
      payout.failureMessage = reason.message;
      payout.updatedAt = failedAt;
      const failure = payoutFailurePosting({
        id: seededId("txn", failedAt, idRng),
        merchantId: spec.id,
        currency: spec.currency,
        createdAt: failedAt,
        description: `Payout ${id} failed: ${reason.message}`,
        payoutId: id,
        amount: total,
        wasPaid,
      });
      payoutLedger.push(failure);
      lateFailures.push(failure);
      continue;
    }
    if (paidAt.getTime() <= now.getTime()) {
      payout.status = "paid";
      payout.paidAt = paidAt;
      payout.updatedAt = paidAt;
      payoutLedger.push(
        payoutPaidPosting({ id: seededId("txn", paidAt, idRng), merchantId: spec.id, currency: spec.currency, createdAt: paidAt, description: `Payout ${id} paid`, payoutId: id, amount: total }),
      );
    }
  }
  void rng;
  return { payouts, payoutItems, payoutLedger };
}

function atLocal(day: string, hour: number, cal: SettlementCalendar): Date {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return zonedTimeToUtc({ year: y, month: m, day: d, hour, minute: 0, second: 0 }, cal.timeZone);
}
