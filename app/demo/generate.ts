/**
 * Deterministic demo ledger generator (pure: no database). It produces the rows of
 * one merchant's history through the same ledger and rollup rules the app uses
 * (app/modules/ledger/postings.ts and rollup.ts) and the same settlement calendar,
 * so every figure the console shows ties out. Same seed, same rows.
 *
 * It streams: `generateMerchantDays` yields one local day at a time, so the demo seed
 * (tens of thousands of payments) and the benchmark (ten million) share one set of
 * rules while only a few days of state ever sit in memory. Everything that happens to
 * a payment later (its refunds, their failures) is decided when the payment is made,
 * so its row is final when it is emitted; settlement replays each cutoff as the
 * stream passes it, exactly like the payout engine.
 */
import { localDateKey, zonedParts, zonedTimeToUtc } from "~/lib/dates/zones";
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
  addAttempt,
  addCapture,
  addDecline,
  addRefund,
  emptyDelta,
  type RollupDelta,
  type RollupKey,
} from "./rollup";
import {
  addBusinessDays,
  isBusinessDay,
  cutoffOn,
  expectedArrival,
  settlementDayOf,
  type SettlementCalendar,
} from "~/modules/settlements/calendar";
import type { MerchantSpec } from "./merchants";
import type { ExtraPayment } from "./subscriptions";

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

const DAY_MS = 86_400_000;

function hashSeed(seed: number, salt: string): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 16777619);
  return h >>> 0;
}

// The sum of each weight list, computed once (the same sum, in the same order, as per pick).
const weightTotals = new WeakMap<readonly { weight: number }[], number>();

function pickIndex(items: readonly { weight: number }[], r: number): number {
  let total = weightTotals.get(items);
  if (total === undefined) {
    total = items.reduce((s, i) => s + i.weight, 0);
    weightTotals.set(items, total);
  }
  let x = r * total;
  for (let i = 0; i < items.length; i++) {
    x -= items[i]!.weight;
    if (x <= 0) return i;
  }
  return items.length - 1;
}

function pickWeighted<T extends { weight: number }>(items: readonly T[], r: number): T {
  return items[pickIndex(items, r)]!;
}

const ID_CODES = Array.from("0123456789abcdefghjkmnpqrstvwxyz", (c) => c.charCodeAt(0));
const idScratch: number[] = [];

/**
 * seededId (app/lib/ids.ts) for an instant given in milliseconds: the same characters
 * from the same twelve draws, without the byte array and the Date (the generator makes
 * two ids per payment). A unit test holds the two equal. The id is made in one piece
 * from its character codes: built by concatenation it would be twenty-odd intermediate
 * strings, and a rope the COPY encoder must flatten before it can read it.
 */
export function seededIdAt(prefix: string, ms: number, next: () => number): string {
  const a = idScratch;
  const p = prefix.length;
  a.length = p + 22;
  for (let i = 0; i < p; i++) a[i] = prefix.charCodeAt(i);
  a[p] = 95; // "_"
  // Nine base-32 digits of the time: the low five from its low 25 bits, the high four from
  // the rest (below 2^20 until the year 3084), in integer arithmetic.
  const t = Math.floor(ms);
  let lo = t % 33_554_432;
  let hi = (t - lo) / 33_554_432;
  for (let i = 9; i >= 5; i--) {
    a[p + i] = ID_CODES[lo & 31]!;
    lo >>>= 5;
  }
  for (let i = 4; i >= 1; i--) {
    a[p + i] = ID_CODES[hi & 31]!;
    hi >>>= 5;
  }
  for (let i = 0; i < 12; i++) a[p + 10 + i] = ID_CODES[Math.floor(next() * 256) % 32]!;
  return String.fromCharCode.apply(null, a);
}

/** "0000" to "9999": card last-4 digits without formatting a number per payment. */
const FOUR_DIGITS = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, "0"));

/** 'YYYY-MM-DD' ⇄ days since 1970-01-01, both ways cached (a history has a few thousand days). */
const dayNumbers = new Map<string, number>();
const dayKeysByNumber = new Map<number, string>();
function dayNumber(day: string): number {
  let n = dayNumbers.get(day);
  if (n === undefined) {
    n = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / DAY_MS;
    if (dayNumbers.size > 100_000) dayNumbers.clear();
    dayNumbers.set(day, n);
  }
  return n;
}
function dayKeyOf(n: number): string {
  let key = dayKeysByNumber.get(n);
  if (key === undefined) {
    key = new Date(n * DAY_MS).toISOString().slice(0, 10);
    if (dayKeysByNumber.size > 100_000) dayKeysByNumber.clear();
    dayKeysByNumber.set(n, key);
  }
  return key;
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

export interface PayoutItemRow {
  merchantId: string;
  ledgerTransactionId: string;
  payoutId: string;
  createdAt: Date;
}

export interface GeneratedLedger {
  payments: PaymentRow[];
  refunds: RefundRow[];
  ledger: LedgerTransactionDraft[];
  payouts: PayoutRow[];
  payoutItems: PayoutItemRow[];
  rollups: RollupDelta[];
}

/**
 * What one local day of the stream adds, or a part of it: a busy day comes in parts of
 * at most BATCH_PAYMENTS payments (each with its refunds and ledger transactions), the
 * day's payouts and sales_daily rows with its last part. Rows reference only rows of the
 * same or an earlier batch (payments before their refunds, ledger transactions before
 * the payout items that carry them), and every sales_daily key appears in exactly one
 * batch, so batches can be appended to the database in order with plain COPY/INSERT.
 * Rows may carry instants after `day` (a refund decided today happens later).
 */
export interface DayBatch extends GeneratedLedger {
  day: string;
}

/**
 * Payments per batch at most. A day of a ten-million-payment ledger has about 14,000:
 * held whole until its end, their objects outlive the young generation's collections and
 * get copied and promoted; parts of 2,048 die young.
 */
export const BATCH_PAYMENTS = 2048;

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
  /**
   * Payments decided elsewhere (the subscriptions' renewal attempts, app/demo/subscriptions.ts),
   * by local day: written, captured, settled and paid out like the day's other payments.
   */
  extraPayments?: Map<string, ExtraPayment[]>;
}

/** All of one merchant's history at once (small ledgers and tests). */
export function generateMerchantLedger(spec: MerchantSpec, opts: GenerateOptions): GeneratedLedger {
  const out: GeneratedLedger = { payments: [], refunds: [], ledger: [], payouts: [], payoutItems: [], rollups: [] };
  for (const b of generateMerchantDays(spec, opts)) {
    for (const x of b.payments) out.payments.push(x);
    for (const x of b.refunds) out.refunds.push(x);
    for (const x of b.ledger) out.ledger.push(x);
    for (const x of b.payouts) out.payouts.push(x);
    for (const x of b.payoutItems) out.payoutItems.push(x);
    for (const x of b.rollups) out.rollups.push(x);
  }
  out.ledger.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  return out;
}

/** A binary min-heap of balance transactions by available_on: what the next cutoffs may pay out. */
class AvailabilityHeap {
  private items: LedgerTransactionDraft[] = [];
  get size() {
    return this.items.length;
  }
  push(t: LedgerTransactionDraft) {
    const a = this.items;
    a.push(t);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.availableOn.getTime() <= a[i]!.availableOn.getTime()) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  /** Removes and returns every transaction available at or before `at`. */
  popUntil(at: number, into: LedgerTransactionDraft[]) {
    const a = this.items;
    while (a.length && a[0]!.availableOn.getTime() <= at) {
      into.push(a[0]!);
      const last = a.pop()!;
      if (!a.length) break;
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.availableOn.getTime() < a[m]!.availableOn.getTime()) m = l;
        if (r < a.length && a[r]!.availableOn.getTime() < a[m]!.availableOn.getTime()) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
  }
}

/**
 * Local wall-clock time to instants for one time zone, one day at a time. Asking the
 * time-zone database is the generator's most expensive step (several Intl calls per
 * instant), so each local day is resolved once: on a day without a clock change,
 * local time is UTC plus one fixed offset, which gives exactly zonedTimeToUtc's
 * answer by arithmetic; a day with a change falls back to zonedTimeToUtc.
 */
class LocalClock {
  private days = new Map<string, { start: number; offset: number; fixed: boolean }>();
  private lastOffset: number | null = null;
  constructor(private readonly tz: string) {}

  /** Start of the local day as an instant, by the previous day's offset when it still holds. */
  private startOf(day: string): number {
    const [y, m, d] = day.split("-").map(Number) as [number, number, number];
    const wall = Date.UTC(y, m - 1, d);
    if (this.lastOffset !== null) {
      const guess = wall - this.lastOffset;
      const p = zonedParts(new Date(guess), this.tz);
      if (p.year === y && p.month === m && p.day === d && p.hour === 0 && p.minute === 0 && p.second === 0) {
        // Midnight on the wall clock; the instant a second earlier must still be the day before.
        const q = zonedParts(new Date(guess - 1000), this.tz);
        if (q.day !== d) return guess;
      }
    }
    const start = zonedTimeToUtc({ year: y, month: m, day: d }, this.tz).getTime();
    this.lastOffset = wall - start;
    return start;
  }

  info(day: string) {
    let info = this.days.get(day);
    if (!info) {
      // Yesterday's probe of this midnight already proved today's start.
      const n = dayNumber(day);
      const prev = this.days.get(dayKeyOf(n - 1));
      const start = prev?.fixed ? prev.start + DAY_MS : this.startOf(day);
      const offset = n * DAY_MS - start;
      const [ny, nm, nd] = dayKeyOf(n + 1).split("-").map(Number) as [number, number, number];
      const nextStart = (n + 1) * DAY_MS - offset;
      // The same offset at the next midnight (one probe) means no change during the day.
      const p = zonedParts(new Date(nextStart), this.tz);
      const fixed = p.year === ny && p.month === nm && p.day === nd && p.hour === 0 && p.minute === 0 && p.second === 0;
      info = { start, offset, fixed };
      if (this.days.size > 20_000) this.days.clear();
      this.days.set(day, info);
    }
    return info;
  }

  /**
   * The local day of an instant: localDateKey's answer, by arithmetic when the day has
   * no clock change (`offsetHint` is the offset of a nearby day), by Intl otherwise.
   */
  dayOf(ms: number, offsetHint: number): string {
    const key = dayKeyOf(Math.floor((ms + offsetHint) / DAY_MS));
    const info = this.info(key);
    if (info.fixed && ms >= info.start && ms < info.start + DAY_MS) return key;
    return localDateKey(new Date(ms), this.tz);
  }

  /** The instant the local clock shows hour:minute:second on `day` (zonedTimeToUtc's rules). */
  at(day: string, hour: number, minute: number, second: number): number {
    const info = this.info(day);
    if (info.fixed) return dayNumber(day) * DAY_MS + hour * 3_600_000 + minute * 60_000 + second * 1000 - info.offset;
    const [y, m, d] = day.split("-").map(Number) as [number, number, number];
    return zonedTimeToUtc({ year: y, month: m, day: d, hour, minute, second }, this.tz).getTime();
  }
}

/** calendar.addBusinessDays (n >= 1) with the cached day arithmetic (`isBusiness` by day number): the same days. */
function businessDaysAfter(day: string, n: number, cal: SettlementCalendar, isBusiness: (n: number) => boolean): string {
  if (n === 0) return addBusinessDays(day, 0, cal);
  let d = dayNumber(day);
  let left = n;
  for (let guard = 0; guard < 800; guard++) {
    d += 1;
    if (isBusiness(d) && --left === 0) return dayKeyOf(d);
  }
  return addBusinessDays(day, n, cal); // its error
}

/**
 * The first `n` instants of `times` in ascending order (in place). A day of a small shop
 * has a handful: an insertion sort beats a typed-array sort's call for those.
 */
function sortTimes(times: Float64Array, n: number): Float64Array {
  if (n > 32) return times.subarray(0, n).sort();
  for (let i = 1; i < n; i++) {
    const v = times[i]!;
    let j = i - 1;
    while (j >= 0 && times[j]! > v) {
      times[j + 1] = times[j]!;
      j--;
    }
    times[j + 1] = v;
  }
  return times;
}

/**
 * One clock per time zone, shared by every merchant generated in this process: its days
 * are the same for all of them, and resolving a day asks Intl (tens of microseconds),
 * which a small merchant would otherwise pay for each of its 730 days.
 */
const clocks = new Map<string, LocalClock>();
function clockFor(tz: string): LocalClock {
  let c = clocks.get(tz);
  if (!c) {
    c = new LocalClock(tz);
    clocks.set(tz, c);
  }
  return c;
}

/**
 * One merchant's history, one local day at a time (oldest first; a busy day in parts,
 * see DayBatch). Deterministic: the same spec, options and seed give the same batches.
 */
export function* generateMerchantDays(spec: MerchantSpec, opts: GenerateOptions): Generator<DayBatch> {
  const rng = mulberry32(hashSeed(opts.seed, spec.id));
  const idRng = mulberry32(hashSeed(opts.seed, spec.id + ":ids"));
  /**
   * What every generated balance transaction starts with: its id, seeded from when it is
   * created (drawn from idRng in generation order), the merchant and its currency.
   */
  const txnHead = (createdAt: Date, description: string) => ({
    id: seededIdAt("txn", createdAt.getTime(), idRng),
    merchantId: spec.id,
    currency: spec.currency,
    createdAt,
    description,
  });
  const tz = spec.timeZone;
  const cal = opts.calendar;
  const now = opts.now;
  const nowMs = now.getTime();
  const todayKey = localDateKey(now, tz);
  const [ty, tm, td] = todayKey.split("-").map(Number) as [number, number, number];

  // Day weights: weekday seasonality, a growth trend, and day-to-day noise.
  const dayKeys: string[] = [];
  const weights: number[] = [];
  const todayNumber = Date.UTC(ty, tm - 1, td) / DAY_MS;
  for (let i = opts.days - 1; i >= 0; i--) {
    const key = dayKeyOf(todayNumber - i);
    const weekday = (((todayNumber - i + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
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

  // The calendar's answers are the same for every payment of a day: ask once per day.
  const clock = clockFor(tz);
  const cutoffTime = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(cal.cutoff);
  if (!cutoffTime) throw new Error(`bad cutoff time: ${cal.cutoff}`);
  const [cutH, cutM, cutS] = [Number(cutoffTime[1]), Number(cutoffTime[2]), Number(cutoffTime[3] ?? 0)];
  const cutoffCache = new Map<string, number>();
  const cutoffMs = (day: string) => {
    let c = cutoffCache.get(day);
    if (c === undefined) {
      c = clock.at(day, cutH, cutM, cutS);
      if (cutoffCache.size === 0 && c !== cutoffOn(day, cal).getTime()) throw new Error("LocalClock disagrees with calendar.cutoffOn");
      if (cutoffCache.size > 64) cutoffCache.clear();
      cutoffCache.set(day, c);
    }
    return c;
  };
  // calendar.nextCutoff, given the local day of the instant.
  const cutoffsFrom = new Map<string, number[]>();
  const nextCutoffOf = (instantMs: number, day: string) => {
    let candidates = cutoffsFrom.get(day);
    if (!candidates) {
      const n = dayNumber(day);
      candidates = [0, 1, 2].map((i) => cutoffMs(dayKeyOf(n + i)));
      cutoffsFrom.set(day, candidates);
    }
    for (const c of candidates) if (c > instantMs) return new Date(c);
    throw new Error("unreachable: no cutoff within three days");
  };

  const plan = { feeBps: spec.feeBps, feeFixed: spec.feeFixed };
  const reasons: RefundRow["reason"][] = ["requested_by_customer", "requested_by_customer", "requested_by_customer", "duplicate", "fraudulent", "other"];
  // sales_daily rows by key. The key (rollupKeyString's fields) as one number: the day,
  // and the terminal, card brand + issuer and funding of the payment by index, which is
  // much cheaper than building and hashing the key's text twice per payment.
  const rollupMap = new Map<number, RollupDelta>();
  const brandIssuer = new Map<string, number>();
  const cardCombo = spec.cards.map((c) => {
    const k = `${c.brand}|${c.issuer}`;
    if (!brandIssuer.has(k)) brandIssuer.set(k, brandIssuer.size);
    return brandIssuer.get(k)!;
  });
  const fundingIndex = { debit: 0, credit: 1, prepaid: 2 } as const;
  const combos = spec.terminals.length * brandIssuer.size * 3;
  /** The sales_daily row of a payment's key on `day` (new rows start at zero); the rollup rules add into it. */
  const rollupAt = (combo: number, day: string, key: RollupKey): RollupDelta => {
    const k = dayNumber(day) * combos + combo;
    let row = rollupMap.get(k);
    if (!row) {
      row = emptyDelta(key.day === day ? key : { ...key, day });
      rollupMap.set(k, row);
    }
    return row;
  };

  // The extra payments' rollup rows (their terminal is not one of the spec's), by day and key.
  const extraRollups = new Map<string, RollupDelta>();
  const extraRollupAt = (day: string, key: RollupKey): RollupDelta => {
    const k = `${day}|${key.terminalId}|${key.cardBrand}|${key.issuerBank}|${key.cardFunding}`;
    let row = extraRollups.get(k);
    if (!row) extraRollups.set(k, (row = emptyDelta({ ...key, day })));
    return row;
  };

  // Settlement state: what is owed but not yet available, and available but not yet paid out.
  const waiting = new AvailabilityHeap();
  const unpaid: LedgerTransactionDraft[] = [];
  let firstTxnAt = Infinity;
  let cutoffIndex = -1;
  let payoutCount = 0;
  const failEvery = Math.max(25, Math.floor(opts.days / 3));

  let times = new Float64Array(64);
  // isBusinessDay per day number: a payout asks for the next business days, which a small
  // shop would otherwise work out from the date's text for every payout.
  const businessDays = new Map<number, boolean>();
  const isBusiness = (n: number) => {
    let b = businessDays.get(n);
    if (b === undefined) {
      b = isBusinessDay(dayKeyOf(n), cal);
      businessDays.set(n, b);
    }
    return b;
  };

  let carry = 0;
  let orderNo = 10000;
  let failedRefunds = 0;
  for (let di = 0; di < dayKeys.length; di++) {
    const dayKey = dayKeys[di]!;
    const newBatch = (): DayBatch => ({ day: dayKey, payments: [], refunds: [], ledger: [], payouts: [], payoutItems: [], rollups: [] });
    let batch = newBatch();
    const addTxn = (t: LedgerTransactionDraft, settles: boolean) => {
      batch.ledger.push(t);
      if (settles) waiting.push(t);
      if (t.createdAt.getTime() < firstTxnAt) firstTxnAt = t.createdAt.getTime();
    };

    const exact = (opts.payments * weights[di]!) / totalWeight + carry;
    const count = Math.floor(exact);
    carry = exact - count;
    const dayStartUtc = dayNumber(dayKey) * DAY_MS; // Date.UTC(y, m - 1, d)
    const nextKey = dayKeyOf(dayNumber(dayKey) + 1);
    const today = clock.info(dayKey);
    const nextStart = clock.info(nextKey).start;

    // A typed array sorts numbers natively (no comparator calls); one per merchant, grown as needed.
    if (times.length < count) times = new Float64Array(Math.max(count, times.length * 2));
    let kept = 0;
    for (let k = 0; k < count; k++) {
      const hour = pickWeighted(hourWeights, rng()).hour;
      const minute = Math.floor(rng() * 60);
      const second = Math.floor(rng() * 60);
      const at = today.fixed
        ? dayStartUtc + hour * 3_600_000 + minute * 60_000 + second * 1000 - today.offset
        : clock.at(dayKey, hour, minute, second);
      if (at < nowMs - 60_000) times[kept++] = at;
    }
    const sorted = sortTimes(times, kept);
    for (let ti = 0; ti < kept; ti++) {
      if (batch.payments.length === BATCH_PAYMENTS) {
        yield batch;
        batch = newBatch();
      }
      const createdMs = sorted[ti]!;
      const createdAt = new Date(createdMs);
      const terminalIndex = pickIndex(spec.terminals, rng());
      const terminal = spec.terminals[terminalIndex]!;
      const cardIndex = pickIndex(spec.cards, rng());
      const card = spec.cards[cardIndex]!;
      const f = rng();
      const funding: PaymentRow["cardFunding"] =
        f < spec.funding.debit ? "debit" : f < spec.funding.debit + spec.funding.credit ? "credit" : "prepaid";
      const combo = (terminalIndex * brandIssuer.size + cardCombo[cardIndex]!) * 3 + fundingIndex[funding];
      let major = Math.exp(Math.log(spec.amount.median) + spec.amount.sigma * normal(rng));
      major = Math.min(Math.max(major, spec.amount.min), spec.amount.max);
      const amount = BigInt(Math.max(spec.amount.round, Math.round(major / spec.amount.round) * spec.amount.round));
      const last4 = FOUR_DIGITS[Math.floor(rng() * 10000)]!;
      const createdYear = createdAt.getUTCFullYear();
      const expYear = createdYear + 1 + Math.floor(rng() * 4);
      const expMonth = 1 + Math.floor(rng() * 12);
      const id = seededIdAt("pay", createdMs, idRng);
      const descTemplate = spec.descriptions[Math.floor(rng() * spec.descriptions.length)]!;
      const description = descTemplate.replace("{n}", String(orderNo++));
      const hasCustomerRef = terminal.kind === "api" && rng() < 0.7;
      const ageMs = nowMs - createdMs;

      let status: PaymentStatus = "captured";
      let decline: (typeof DECLINES)[number] | null = null;
      const r = rng();
      if (ageMs < 3 * 3600_000 && r < 0.08) status = "pending";
      else if (ageMs < 20 * 3600_000 && terminal.kind === "api" && r < 0.06) status = "authorized";
      else if (r < 0.07) {
        decline = pickWeighted(DECLINES, rng());
        status = decline.status;
      } else if (r < 0.072) status = "voided";

      const authorizedAt = status === "captured" || status === "authorized" || status === "voided" ? new Date(createdMs + 900) : null;
      const capturedAt = status === "captured" ? new Date(createdMs + 1400) : null;
      const voidedAt = status === "voided" ? new Date(createdMs + 3600_000) : null;
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
      batch.payments.push(row);

      const key: RollupKey = {
        merchantId: spec.id,
        day: dayKey,
        terminalId: terminal.id,
        cardBrand: card.brand,
        issuerBank: card.issuer,
        cardFunding: funding,
        currency: spec.currency,
      };
      const created = rollupAt(combo, dayKey, key);
      addAttempt(created);
      if (status === "declined" || status === "failed") addDecline(created);
      if (status !== "captured") continue;

      const capturedMs = capturedAt!.getTime();
      const captureDay = capturedMs >= nextStart ? nextKey : dayKey;
      addCapture(captureDay === dayKey ? created : rollupAt(combo, captureDay, key), amount, fee);
      addTxn(
        chargePosting({
          ...txnHead(capturedAt!, `Payment ${id}`),
          paymentId: id,
          amount,
          fee,
          availableOn: nextCutoffOf(capturedMs, captureDay),
        }),
        true,
      );

      // About 2% of captured payments are refunded: in full, in part, or in several parts.
      if (rng() >= 0.02) continue;
      const kind = rng();
      const parts: bigint[] = [];
      if (kind < 0.6) parts.push(amount);
      else if (kind < 0.9) parts.push(roundTo((amount * BigInt(30 + Math.floor(rng() * 40))) / 100n, spec.amount.round));
      else {
        const first = roundTo(amount / 3n, spec.amount.round);
        parts.push(first, roundTo(amount / 4n, spec.amount.round));
        if (rng() < 0.5) parts.push(amount - parts[0]! - parts[1]!);
      }
      let at = new Date(capturedMs + 3600_000 * (1 + rng() * 96));
      for (const part of parts) {
        if (part <= 0n || at.getTime() >= nowMs) break;
        const refundId = seededIdAt("re", at.getTime(), idRng);
        const reason = reasons[Math.floor(rng() * reasons.length)]!;
        const fails = failedRefunds < 2 && rng() < 0.03;
        const refund: RefundRow = {
          merchantId: spec.id,
          id: refundId,
          paymentId: id,
          amount: part,
          currency: spec.currency,
          reason,
          note: reason === "other" ? "Customer returned the item" : null,
          status: fails ? "failed" : "succeeded",
          providerReference: `sbx_re_${refundId.slice(3)}`,
          failureCode: fails ? "card_closed" : null,
          createdByUserId: opts.refundUserIds[Math.floor(rng() * opts.refundUserIds.length)] ?? null,
          createdAt: at,
          updatedAt: at,
        };
        batch.refunds.push(refund);
        addTxn(
          refundPosting({
            ...txnHead(at, `Refund ${refundId} of payment ${id}`),
            refundId,
            amount: part,
          }),
          true,
        );
        addRefund(rollupAt(combo, clock.dayOf(at.getTime(), today.offset), key), part);
        if (fails) {
          failedRefunds++;
          const failedAt = new Date(at.getTime() + 3600_000);
          refund.updatedAt = failedAt;
          addTxn(
            refundFailurePosting({
              ...txnHead(failedAt, `Refund ${refundId} failed: card closed`),
              refundId,
              amount: part,
            }),
            true,
          );
          addRefund(rollupAt(combo, clock.dayOf(failedAt.getTime(), today.offset), key), part, -1);
        } else {
          row.amountRefunded += part;
          row.updatedAt = at;
        }
        at = new Date(at.getTime() + 3600_000 * (2 + rng() * 48));
      }
    }

    // The day's subscription renewal attempts, as decided by the renewal rules.
    for (const x of opts.extraPayments?.get(dayKey) ?? []) {
      if (x.createdMs >= nowMs - 60_000) continue;
      if (batch.payments.length === BATCH_PAYMENTS) {
        yield batch;
        batch = newBatch();
      }
      const captured = x.status === "captured";
      const createdAt = new Date(x.createdMs);
      const capturedAt = captured ? new Date(x.createdMs + 1400) : null;
      const fee = captured ? computeFee(x.amount, plan) : 0n;
      batch.payments.push({
        merchantId: spec.id,
        id: x.id,
        terminalId: x.terminalId,
        amount: x.amount,
        currency: spec.currency,
        status: x.status,
        amountRefunded: 0n,
        fee,
        cardToken: x.card.token,
        cardBrand: x.card.brand,
        cardFunding: x.card.funding,
        cardBin: x.card.bin,
        cardLast4: x.card.last4,
        cardExpMonth: x.card.expMonth,
        cardExpYear: x.card.expYear,
        issuerBank: x.card.issuer,
        processorId: "sandbox",
        providerReference: `sbx_auth_${x.id.slice(4)}`,
        declineCode: x.declineCode,
        failureMessage: x.failureMessage,
        description: x.description,
        customerReference: null,
        createdAt,
        authorizedAt: captured ? new Date(x.createdMs + 900) : null,
        capturedAt,
        voidedAt: null,
        updatedAt: capturedAt ?? createdAt,
      });
      const key: RollupKey = { merchantId: spec.id, day: dayKey, terminalId: x.terminalId, cardBrand: x.card.brand, issuerBank: x.card.issuer, cardFunding: x.card.funding, currency: spec.currency };
      const created = extraRollupAt(dayKey, key);
      addAttempt(created);
      if (!captured) {
        addDecline(created);
        continue;
      }
      const capturedMs = capturedAt!.getTime();
      const captureDay = capturedMs >= nextStart ? nextKey : dayKey;
      addCapture(captureDay === dayKey ? created : extraRollupAt(captureDay, key), x.amount, fee);
      addTxn(
        chargePosting({
          ...txnHead(capturedAt!, `Payment ${x.id}`),
          paymentId: x.id,
          amount: x.amount,
          fee,
          availableOn: nextCutoffOf(capturedMs, captureDay),
        }),
        true,
      );
    }

    // Today's settlement cutoff, once everything created before it is known: every
    // balance transaction of this day and earlier has been generated, and nothing
    // generated later can be available at or before it.
    const cutoff = cutoffMs(dayKey);
    if (cutoff > firstTxnAt && cutoff <= nowMs) {
      cutoffIndex++;
      settleAt(new Date(cutoff));
    }

    // Rollup rows of days that can no longer change (later captures land on tomorrow at the earliest).
    for (const [k, delta] of rollupMap) {
      if (delta.day <= dayKey) {
        batch.rollups.push(delta);
        rollupMap.delete(k);
      }
    }
    for (const [k, delta] of extraRollups) {
      if (delta.day <= dayKey) {
        batch.rollups.push(delta);
        extraRollups.delete(k);
      }
    }
    if (di === dayKeys.length - 1) {
      for (const delta of rollupMap.values()) batch.rollups.push(delta);
      rollupMap.clear();
      for (const delta of extraRollups.values()) batch.rollups.push(delta);
      extraRollups.clear();
    }
    yield batch;

    function settleAt(cutoffAt: Date) {
      waiting.popUntil(cutoffAt.getTime(), unpaid);
      if (unpaid.length === 0) return;
      const total = unpaid.reduce((s, t) => s + t.net, 0n);
      if (total <= 0n || total < spec.minimumPayout) return; // carries over to the next cutoff

      const createdAt = new Date(cutoffAt.getTime() + 5 * 60_000);
      const id = seededIdAt("po", createdAt.getTime(), idRng);
      // calendar.expectedArrival and settlementDayOf, with the local day from the clock.
      const settlementDay = clock.dayOf(cutoffAt.getTime() - 1000, today.offset);
      const arrival = businessDaysAfter(settlementDay, Math.max(cal.delayDays, 0), cal, isBusiness);
      // Sent to the bank the next business morning after the settlement day.
      const sendDay = businessDaysAfter(settlementDay, 1, cal, isBusiness);
      if (
        payoutCount === 0 &&
        (settlementDay !== settlementDayOf(cutoffAt, cal) || arrival !== expectedArrival(cutoffAt, cal) || sendDay !== addBusinessDays(settlementDay, 1, cal))
      ) {
        throw new Error("the generator's settlement days disagree with the settlement calendar");
      }
      const sentAt = new Date(clock.at(sendDay <= arrival ? sendDay : arrival, 8, 0, 0));
      const paidAt = new Date(clock.at(arrival, 10, 0, 0));
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
        cutoffAt,
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
      payoutCount++;
      batch.payouts.push(payout);
      for (const item of items) batch.payoutItems.push({ merchantId: spec.id, ledgerTransactionId: item.id, payoutId: id, createdAt });
      addTxn(
        payoutPosting({ ...txnHead(createdAt, `Payout ${id}`), payoutId: id, amount: total }),
        false,
      );
      if (sentAt.getTime() <= nowMs) {
        payout.status = "in_transit";
        payout.sentAt = sentAt;
        payout.traceNumber = `TRC${String(Math.floor(idRng() * 1e10)).padStart(10, "0")}`;
        payout.updatedAt = sentAt;
      }
      // A few payouts fail: returned by the bank (some after being marked paid); the
      // money comes back as a balance transaction the next cutoffs pay out again.
      const shouldFail = cutoffIndex > 0 && cutoffIndex % failEvery === 0 && cutoffAt.getTime() < nowMs - 10 * DAY_MS;
      if (shouldFail) {
        const reason = PAYOUT_FAILURES[payoutCount % PAYOUT_FAILURES.length]!;
        const wasPaid = payoutCount % 2 === 0;
        const failedAt = new Date((wasPaid ? paidAt : sentAt).getTime() + (wasPaid ? 2 : 1) * DAY_MS);
        if (wasPaid) {
          addTxn(
            payoutPaidPosting({ ...txnHead(paidAt, `Payout ${id} paid`), payoutId: id, amount: total }),
            false,
          );
          payout.paidAt = paidAt;
        }
        payout.status = "failed";
        payout.failedAt = failedAt;
        payout.failureCode = reason.code;
        payout.failureMessage = reason.message;
        payout.updatedAt = failedAt;
        addTxn(
          payoutFailurePosting({
            ...txnHead(failedAt, `Payout ${id} failed: ${reason.message}`),
            payoutId: id,
            amount: total,
            wasPaid,
          }),
          true,
        );
        return;
      }
      if (paidAt.getTime() <= nowMs) {
        payout.status = "paid";
        payout.paidAt = paidAt;
        payout.updatedAt = paidAt;
        addTxn(
          payoutPaidPosting({ ...txnHead(paidAt, `Payout ${id} paid`), payoutId: id, amount: total }),
          false,
        );
      }
    }
  }
}

function roundTo(v: bigint, step: number): bigint {
  const s = BigInt(step);
  const r = (v / s) * s;
  return r > 0n ? r : v;
}
