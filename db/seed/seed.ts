/**
 * Writes the demo merchants, people and a year of ledger history. Set-based: rows
 * are generated in memory (generate.ts) and inserted in large multi-row statements,
 * all lines of a ledger transaction in the same statement (the balance trigger).
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Db } from "../client.server";
import * as s from "../schema";
import { makeSheba } from "~/lib/bank-account";
import type { SettlementCalendar } from "~/modules/settlements/calendar";
import { generateMerchantLedger, type GeneratedLedger } from "./generate";
import { HOLIDAYS } from "./holidays";
import { COFFEE, DEMO_PASSWORD, NORTHWIND, USERS, type MerchantSpec } from "./merchants";

export interface SeedOptions {
  seed: number;
  coffeePayments: number;
  northwindPayments: number;
  days: number;
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

async function insertChunked<T extends Record<string, unknown>>(db: Db, table: PgTable, rows: T[], columns: number) {
  // PostgreSQL allows 65535 bind parameters per statement.
  const size = Math.max(1, Math.floor(60000 / columns));
  for (let i = 0; i < rows.length; i += size) {
    await db.insert(table).values(rows.slice(i, i + size) as never);
  }
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

export async function isSeeded(db: Db): Promise<boolean> {
  const found = await db.select({ id: s.merchants.id }).from(s.merchants).limit(1);
  return found.length > 0;
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

  const summary: SeedSummary["merchants"] = [];
  for (const [spec, count] of [
    [COFFEE, opts.coffeePayments],
    [NORTHWIND, opts.northwindPayments],
  ] as const) {
    const bankAccountId = `ba_${spec.id.slice(4)}`;
    const accountNumber = spec.bank.kind === "sheba" ? makeSheba(spec.bank.bankCode!, "0000000123456789012") : spec.bank.accountNumber;
    const activatedAt = new Date(opts.now.getTime() - (opts.days + 30) * 86400_000);
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
      if (t.apiKey) {
        await db.insert(s.apiKeys).values({ keyHash: sha256Hex(t.apiKey), merchantId: spec.id, terminalId: t.id, createdAt: activatedAt });
      }
    }

    const refundUserIds = USERS.filter((u) => u.memberships.some((m) => m.merchantId === spec.id && (m.role === "support" || m.role === "owner"))).map((u) => u.id);
    const t0 = Date.now();
    const generated = generateMerchantLedger(spec, {
      seed: opts.seed,
      payments: count,
      days: opts.days,
      now: opts.now,
      calendar: calendarFor(spec),
      bankAccountId,
      bankAccountMask: `•••• ${accountNumber.slice(-4)}`,
      refundUserIds,
    });
    log(`${spec.name}: generated ${generated.payments.length} payments in ${Date.now() - t0} ms`);
    await writeLedger(db, generated);
    summary.push({
      id: spec.id,
      payments: generated.payments.length,
      refunds: generated.refunds.length,
      payouts: generated.payouts.length,
      ledgerTransactions: generated.ledger.length,
    });
    log(`${spec.name}: written in ${Date.now() - t0} ms`);
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

export async function writeLedger(db: Db, g: GeneratedLedger): Promise<void> {
  await insertChunked(db, s.payments, g.payments, 28);
  await insertChunked(db, s.refunds, g.refunds, 14);
  // Payouts before the ledger rows that name them.
  await insertChunked(db, s.payouts, g.payouts, 20);
  await insertChunked(
    db,
    s.ledgerTransactions,
    g.ledger.map(({ postings: _p, ...t }) => t),
    13,
  );
  // Entries: whole transactions per statement (the balance trigger checks each statement).
  const perStatement = 8000;
  let batch: (typeof s.ledgerEntries.$inferInsert)[] = [];
  for (const t of g.ledger) {
    t.postings.forEach((p, i) =>
      batch.push({
        merchantId: t.merchantId,
        transactionId: t.id,
        line: i + 1,
        account: p.account,
        currency: t.currency,
        amount: p.amount,
        availableOn: p.account === "merchant_balance" ? t.availableOn : t.createdAt,
        createdAt: t.createdAt,
      }),
    );
    if (batch.length >= perStatement) {
      await db.insert(s.ledgerEntries).values(batch);
      batch = [];
    }
  }
  if (batch.length) await db.insert(s.ledgerEntries).values(batch);
  await insertChunked(db, s.payoutItems, g.payoutItems, 4);
  await insertChunked(db, s.salesDaily, g.rollups, 14);
}
