/**
 * Writes the demo merchants, people and a year of ledger history. Set-based: the
 * generator (generate.ts) streams day batches, which are encoded to CSV and written
 * with COPY (copy.ts) on either driver, whole ledger transactions per statement
 * (the balance trigger checks each statement).
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "~db/client.server";
import * as s from "~db/schema";
import { makeSheba } from "~/lib/bank-account";
import type { SettlementCalendar } from "~/modules/settlements/calendar";
import { generateMerchantDays, type GenerateOptions } from "./generate";
import { CopyBuffer, copyTargetFor, rebuildDerivedRollups, verifyBulkLoad } from "./copy";
import { HOLIDAYS } from "~/modules/settlements/holiday-data";
import { COFFEE, DEMO_PASSWORD, NORTHWIND, USERS, type MerchantSpec } from "./merchants";
import { demoSubscriptionSpec, generateSubscriptionHistory, paymentsByDay, type SubscriptionDemoSpec, type SubscriptionHistory } from "./subscriptions";
import { seal } from "~/modules/processors/sandbox/vault.server";
import { mandateText } from "~/modules/subscriptions/customers.server";
import { env } from "~/lib/env.server";

/**
 * The demo's "today" for `npm start` and `npm run db:seed`: SEED_NOW when it is set (a demo
 * that is the same on every run), else the moment of seeding (a demo that ends today).
 */
export function demoNow(): Date {
  return env.SEED_NOW ?? new Date();
}

export interface SeedOptions {
  seed: number;
  coffeePayments: number;
  northwindPayments: number;
  days: number;
  /** The instant the ledger ends: every generated row is before it (callers pass `demoNow()` or a test's pinned instant). */
  now: Date;
  /** "fast" uses a cheap argon2 cost: for tests only. */
  passwordHashCost?: "fast" | "normal";
  log?: (msg: string) => void;
}

export interface SeedSummary {
  merchants: { id: string; payments: number; refunds: number; payouts: number; ledgerTransactions: number }[];
  ms: number;
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function calendarFor(spec: MerchantSpec): SettlementCalendar {
  return {
    timeZone: spec.timeZone,
    cutoff: spec.cutoff,
    delayDays: spec.delayDays,
    weekendDays: spec.weekendDays,
    holidays: new Set((HOLIDAYS[spec.holidayCalendar] ?? []).map((h) => h.day)),
  };
}

/** A merchant, its verified bank account and its terminals (and API keys, when the spec has them). */
export async function insertMerchant(
  db: Db,
  spec: MerchantSpec,
  opts: { activatedAt: Date; apiKeys?: boolean },
): Promise<{ bankAccountId: string; bankAccountMask: string }> {
  const activatedAt = opts.activatedAt;
  const bankAccountId = `ba_${spec.id.slice(4)}`;
  const accountNumber = spec.bank.kind === "sheba" ? makeSheba(spec.bank.bankCode!, "0000000123456789012") : spec.bank.accountNumber;
  await db.insert(s.merchants).values({
    id: spec.id,
    name: spec.name,
    legalName: spec.legalName,
    status: "active",
    country: spec.country,
    timeZone: spec.timeZone,
    currency: spec.currency,
    defaultLocale: "en",
    contactEmail: spec.contactEmail,
    contactPhone: spec.contactPhone,
    businessType: spec.businessType,
    processorId: "sandbox",
    settlementCutoff: spec.cutoff,
    settlementDelayDays: spec.delayDays,
    weekendDays: spec.weekendDays,
    holidayCalendar: spec.holidayCalendar,
    minimumPayout: spec.minimumPayout,
    feeBps: spec.feeBps,
    feeFixed: spec.feeFixed,
    supportRefundLimit: spec.supportRefundLimit,
    activatedAt,
    createdAt: activatedAt,
    updatedAt: activatedAt,
  });
  await db.insert(s.merchantBankAccounts).values({
    merchantId: spec.id,
    id: bankAccountId,
    kind: spec.bank.kind,
    accountNumber,
    routingNumber: spec.bank.routingNumber ?? null,
    holderName: spec.bank.holderName,
    bankCode: spec.bank.bankCode ?? null,
    bankName: spec.bank.bankName,
    currency: spec.currency,
    verified: true,
    active: true,
    createdAt: activatedAt,
  });
  for (const t of spec.terminals) {
    await db.insert(s.terminals).values({
      merchantId: spec.id,
      id: t.id,
      name: t.name,
      location: t.location,
      kind: t.kind,
      status: "active",
      apiKeyPrefix: t.apiKey ? t.apiKey.slice(0, 12) : null,
      apiKeyLast4: t.apiKey ? t.apiKey.slice(-4) : null,
      apiKeyCreatedAt: t.apiKey ? activatedAt : null,
      createdAt: activatedAt,
      updatedAt: activatedAt,
    });
    if (t.apiKey && opts.apiKeys !== false) {
      await db.insert(s.apiKeys).values({ keyHash: sha256Hex(t.apiKey), merchantId: spec.id, terminalId: t.id, createdAt: activatedAt });
    }
  }

  return { bankAccountId, bankAccountMask: `•••• ${accountNumber.slice(-4)}` };
}

/**
 * Streams one merchant's generated history into the database with COPY, a few
 * hundred thousand rows per statement. Returns what it wrote.
 */
export async function writeMerchantHistory(
  db: Db,
  spec: MerchantSpec,
  gen: GenerateOptions,
  /**
   * rollups: false leaves sales_daily to the triggers on payments and refunds (a server
   * loading with triggers on: writing the generator's rows too would count everything twice).
   */
  opts: { flushRows?: number; rollups?: boolean } = {},
): Promise<{ payments: number; refunds: number; payouts: number; ledgerTransactions: number }> {
  const target = copyTargetFor(db);
  const buffer = new CopyBuffer();
  const counts = { payments: 0, refunds: 0, payouts: 0, ledgerTransactions: 0 };
  for (const batch of generateMerchantDays(spec, gen)) {
    buffer.add(opts.rollups === false ? { ...batch, rollups: [] } : batch);
    counts.payments += batch.payments.length;
    counts.refunds += batch.refunds.length;
    counts.payouts += batch.payouts.length;
    counts.ledgerTransactions += batch.ledger.length;
    if (buffer.rows >= (opts.flushRows ?? 200_000)) await buffer.flush(target);
  }
  await buffer.flush(target);
  return counts;
}

export async function isSeeded(db: Db): Promise<boolean> {
  const found = await db.select({ id: s.merchants.id }).from(s.merchants).limit(1);
  return found.length > 0;
}

/**
 * The demo's pending payments are authorizations whose answer never came back (a
 * timeout). The sandbox provider gets the record such a payment leaves on its side: its
 * answer, visible to inquiry two minutes after the attempt. The reconciliation job then
 * finds a captured payment (or, one in six, a declined one) and applies it, as it would
 * for a real timeout; without the record it found nothing and, after its give-up time,
 * marked every seeded pending payment failed ("the provider never received it").
 */
async function pendingAtProvider(db: Db, merchantId: string, now: Date): Promise<void> {
  await db.execute(sql`
    insert into sandbox_authorizations
      (id, merchant_reference, account_id, card_token, amount, currency, status, decline_code, captured_amount, visible_at, created_at, updated_at)
    select 'sbx_auth_' || substr(p.id, 5), p.id, p.merchant_id, p.card_token, p.amount, p.currency,
           case when d.declined then 'declined' else 'captured' end,
           case when d.declined then 'insufficient_funds' end,
           case when d.declined then 0 else p.amount end,
           least(p.created_at + interval '2 minutes', ${now.toISOString()}::timestamptz), p.created_at, p.created_at
    from payments p
    cross join lateral (select get_byte(sha256(convert_to(p.id, 'UTF8')), 0) % 6 = 0 as declined) d
    where p.merchant_id = ${merchantId} and p.status = 'pending'
    on conflict do nothing`);
}

const CHUNK = 400;
async function insertChunks<T>(rowsToInsert: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rowsToInsert.length; i += CHUNK) await write(rowsToInsert.slice(i, i + CHUNK));
}

/** The merchant's "Payment links" terminal (renewals are charged on it) and the sandbox's vault rows of the demo's saved cards. */
async function writeSubscriptionsBefore(db: Db, spec: MerchantSpec, sub: SubscriptionDemoSpec, h: SubscriptionHistory, activatedAt: Date): Promise<void> {
  await db.insert(s.terminals).values({ merchantId: spec.id, id: sub.linkTerminalId, name: "Payment links", location: null, kind: "link", status: "active", createdAt: activatedAt, updatedAt: activatedAt });
  for (const card of [sub.cards.good, sub.cards.failing]) {
    const sealed = seal(card.pan, card.token);
    await db
      .insert(s.sandboxCards)
      .values({ token: card.token, panCiphertext: sealed.ciphertext, panIv: sealed.iv, panTag: sealed.tag, keyId: sealed.keyId, bin: card.bin, last4: card.last4, brand: card.brand, funding: card.funding, expMonth: card.expMonth, expYear: card.expYear, createdAt: h.plan.createdAt })
      .onConflictDoNothing();
  }
}

/** Plans, customers, saved cards, subscriptions and invoices; then the attempts' payments are tied to their invoices. */
async function writeSubscriptionsAfter(db: Db, spec: MerchantSpec, sub: SubscriptionDemoSpec, h: SubscriptionHistory): Promise<void> {
  const m = spec.id;
  await db.insert(s.plans).values({ merchantId: m, id: h.plan.id, name: h.plan.name, amount: h.plan.amount, currency: spec.currency, interval: h.plan.interval, intervalCount: 1, calendar: h.plan.calendar, trialDays: h.plan.trialDays, createdAt: h.plan.createdAt, updatedAt: h.plan.createdAt });
  await insertChunks(h.customers, (c) => db.insert(s.customers).values(c.map((x) => ({ merchantId: m, id: x.id, name: x.name, email: x.email, source: "hosted_page", createdAt: x.createdAt, updatedAt: x.createdAt }))));
  const mandate = mandateText(spec.name, sub.locale);
  await insertChunks(h.paymentMethods, (c) =>
    db.insert(s.paymentMethods).values(
      c.map((x) => ({ merchantId: m, id: x.id, customerId: x.customerId, cardToken: x.card.token, cardBrand: x.card.brand, cardLast4: x.card.last4, cardExpMonth: x.card.expMonth, cardExpYear: x.card.expYear, mandateText: mandate, mandateLocale: sub.locale, mandateAcceptedAt: x.mandateAt, createdAt: x.createdAt })),
    ),
  );
  await insertChunks(h.subscriptions, (c) =>
    db.insert(s.subscriptions).values(
      c.map((x) => ({ merchantId: m, ...x, planId: h.plan.id, calendar: h.plan.calendar, timeZone: spec.timeZone, interval: h.plan.interval, intervalCount: 1 })),
    ),
  );
  await insertChunks(h.invoices, (c) => db.insert(s.invoices).values(c.map((x) => ({ merchantId: m, ...x, currency: spec.currency }))));
  await insertChunks(h.payments, (c) =>
    db.execute(sql`update payments p set customer_id = v.customer_id, invoice_id = v.invoice_id, idempotency_key = v.idempotency_key
      from (values ${sql.join(c.map((x) => sql`(${x.id}, ${x.customerId}, ${x.invoiceId}, ${x.idempotencyKey})`), sql`, `)}) as v(id, customer_id, invoice_id, idempotency_key)
      where p.merchant_id = ${m} and p.id = v.id`),
  );
}

export async function seedDemo(db: Db, opts: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const argon2 = await import("argon2");
  const passwordHash = await argon2.hash(
    DEMO_PASSWORD,
    opts.passwordHashCost === "fast"
      ? { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 }
      : { type: argon2.argon2id },
  );

  // Reference data: holiday calendars.
  const holidayRows = Object.entries(HOLIDAYS).flatMap(([calendar, days]) =>
    days.map((h) => ({ calendar, day: h.day, name: h.name, nameFa: h.nameFa ?? null })),
  );
  await db.insert(s.holidays).values(holidayRows).onConflictDoNothing();

  // Embedded PostgreSQL is one session and a superuser: the bulk COPY runs with row
  // triggers off (a foreign-key lookup per row is most of its cost there) and the same
  // invariants are then proven set-based. A server keeps every trigger on.
  const pglite = (db as unknown as { $client?: { dumpDataDir?: unknown } }).$client?.dumpDataDir !== undefined;
  if (pglite) await db.execute(sql`SET session_replication_role = replica`);
  const summary: SeedSummary["merchants"] = [];
  for (const [spec, count] of [
    [COFFEE, opts.coffeePayments],
    [NORTHWIND, opts.northwindPayments],
  ] as const) {
    const { bankAccountId, bankAccountMask } = await insertMerchant(db, spec, { activatedAt: new Date(opts.now.getTime() - (opts.days + 30) * 86400_000) });
    const refundUserIds = USERS.filter((u) => u.memberships.some((m) => m.merchantId === spec.id && (m.role === "support" || m.role === "owner"))).map((u) => u.id);
    const t0 = Date.now();
    // Subscriptions first: their renewal attempts are payments of the ledger's day batches.
    const subSpec = demoSubscriptionSpec(spec, opts.now);
    const subs = subSpec ? generateSubscriptionHistory(spec, subSpec, { seed: opts.seed, days: opts.days, now: opts.now, retryDays: [1, 3, 5, 7] }) : null;
    if (subSpec && subs) await writeSubscriptionsBefore(db, spec, subSpec, subs, new Date(opts.now.getTime() - (opts.days + 30) * 86400_000));
    const written = await writeMerchantHistory(db, spec, {
      seed: opts.seed,
      payments: count,
      days: opts.days,
      now: opts.now,
      calendar: calendarFor(spec),
      bankAccountId,
      bankAccountMask,
      refundUserIds,
      extraPayments: subs ? paymentsByDay(subs, spec.timeZone) : undefined,
    }, { rollups: pglite });
    if (subSpec && subs) await writeSubscriptionsAfter(db, spec, subSpec, subs);
    await pendingAtProvider(db, spec.id, opts.now);
    summary.push({ id: spec.id, ...written });
    log(`${spec.name}: ${written.payments} payments generated and written in ${Date.now() - t0} ms`);
  }

  if (pglite) {
    await db.execute(sql`SET session_replication_role = origin`);
    const t0 = Date.now();
    await verifyBulkLoad(db);
    await rebuildDerivedRollups(db);
    log(`Ledger balance and references verified, derived rollups built, set-based in ${Date.now() - t0} ms`);
  }

  const createdAt = new Date(opts.now.getTime() - (opts.days + 30) * 86400_000);
  for (const u of USERS) {
    await db.insert(s.users).values({
      id: u.id,
      email: u.email,
      name: u.name,
      passwordHash,
      locale: u.locale ?? null,
      createdAt,
      updatedAt: createdAt,
      passwordChangedAt: createdAt,
    });
    for (const m of u.memberships) {
      await db.insert(s.memberships).values({ merchantId: m.merchantId, userId: u.id, role: m.role, status: "active", createdAt, updatedAt: createdAt });
    }
  }
  await db
    .insert(s.systemState)
    .values({ key: "seed", value: { seed: opts.seed, at: opts.now.toISOString(), summary } })
    .onConflictDoUpdate({ target: s.systemState.key, set: { value: sql`excluded.value`, updatedAt: sql`now()` } });
  return { merchants: summary, ms: Date.now() - started };
}
