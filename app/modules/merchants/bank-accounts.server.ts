/**
 * Where payouts go. Iranian merchants are paid to a Sheba (IR + 24 digits, ISO 7064
 * mod 97, the bank named by its code); other currencies to an IBAN, and USD also to a
 * US account (ABA routing number + account number). Only the owner changes it, after a
 * step-up, and every change is audited. A change applies to payouts created after it:
 * a payout copies its account when it is created and keeps it.
 */
import { recordEvent } from "~/modules/events/events.server";
import { serializeBankAccount } from "~/modules/events/objects";
import type { Client } from "~/lib/vocabulary";
import { and, desc, eq, sql } from "drizzle-orm";
import { merchantBankAccounts, merchants, payouts } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { maskAccount, validateAbaRouting, validateIban, validateSheba } from "~/lib/bank-account";
import { toLatinDigits } from "~/lib/digits";
import { newId } from "~/lib/ids";
import type { AppContext } from "~/modules/access/context";
import { audit } from "~/modules/audit/audit.server";
import { activateIfReady } from "./onboarding.server";
import type { BankAccountKind, Scope } from "~/lib/vocabulary";

export type MerchantScope = Scope;

export type { BankAccountKind };

/** Which kinds of account a currency can be paid to, the first being the usual one. */
export function bankKindsFor(currency: string): BankAccountKind[] {
  if (currency === "IRR") return ["sheba"];
  if (currency === "USD") return ["aba", "iban"];
  return ["iban"];
}

export const BANK_KIND_LABELS: Record<BankAccountKind, string> = {
  sheba: "Sheba (Iranian IBAN)",
  iban: "IBAN",
  aba: "US bank account (routing and account number)",
};

export interface BankAccountInput {
  kind: string;
  accountNumber: string;
  routingNumber?: string;
  holderName: string;
}

export interface ValidBankAccount {
  kind: BankAccountKind;
  accountNumber: string;
  routingNumber: string | null;
  holderName: string;
  bankCode: string | null;
  bankName: string | null;
  bankNameFa: string | null;
}

export type BankAccountProblem = { field: "kind" | "accountNumber" | "routingNumber" | "holderName"; message: string };

/** Checks everything the number's format allows, with a reason a person can act on. */
export function validateBankAccount(currency: string, input: BankAccountInput): { ok: true; account: ValidBankAccount } | ({ ok: false } & BankAccountProblem) {
  const kinds = bankKindsFor(currency);
  const kind = input.kind as BankAccountKind;
  if (!kinds.includes(kind)) {
    return {
      ok: false,
      field: "kind",
      message: `${currency} payouts go to ${kinds.map((k) => BANK_KIND_LABELS[k]).join(" or ")}.`,
    };
  }
  const holderName = input.holderName.trim().replace(/\s+/g, " ");
  if (holderName.length < 2) return { ok: false, field: "holderName", message: "Enter the account holder's name as the bank knows it." };
  if (holderName.length > 140) return { ok: false, field: "holderName", message: "The account holder's name can be at most 140 characters." };

  if (kind === "sheba") {
    const r = validateSheba(input.accountNumber);
    if (!r.ok) return { ok: false, field: "accountNumber", message: r.reason };
    return {
      ok: true,
      account: { kind, accountNumber: r.normalized, routingNumber: null, holderName, bankCode: r.bankCode, bankName: r.bankName.en, bankNameFa: r.bankName.fa },
    };
  }
  if (kind === "iban") {
    const r = validateIban(input.accountNumber);
    if (!r.ok) return { ok: false, field: "accountNumber", message: r.reason };
    if (r.country === "IR") {
      return { ok: false, field: "accountNumber", message: "This is an Iranian Sheba number: Sheba accounts receive IRR payouts only." };
    }
    return {
      ok: true,
      account: { kind, accountNumber: r.normalized, routingNumber: null, holderName, bankCode: null, bankName: `Bank account in ${r.country} (IBAN)`, bankNameFa: null },
    };
  }
  const routing = validateAbaRouting(input.routingNumber ?? "");
  if (!routing.ok) return { ok: false, field: "routingNumber", message: routing.reason };
  const account = toLatinDigits(input.accountNumber).replace(/[\s-]/g, "");
  if (account === "") return { ok: false, field: "accountNumber", message: "Enter the account number." };
  if (!/^\d{4,17}$/.test(account)) {
    return { ok: false, field: "accountNumber", message: "A US account number has 4 to 17 digits, with no letters." };
  }
  return {
    ok: true,
    account: { kind, accountNumber: account, routingNumber: routing.normalized, holderName, bankCode: null, bankName: `US bank, routing ${routing.normalized}`, bankNameFa: null },
  };
}

export interface BankAccountView {
  id: string;
  kind: BankAccountKind;
  currency: string;
  /** Never the whole number: the last four characters. */
  mask: string;
  routingNumber: string | null;
  holderName: string;
  bankCode: string | null;
  bankName: string | null;
  active: boolean;
  /** false after a payout to it failed because of the account: payouts pause until it is replaced. */
  verified: boolean;
  createdAt: Date;
  deactivatedAt: Date | null;
}

function view(a: typeof merchantBankAccounts.$inferSelect): BankAccountView {
  return {
    id: a.id,
    kind: a.kind,
    currency: a.currency,
    mask: maskAccount(a.accountNumber),
    routingNumber: a.routingNumber,
    holderName: a.holderName,
    bankCode: a.bankCode,
    bankName: a.bankName,
    active: a.active,
    verified: a.verified,
    createdAt: a.createdAt,
    deactivatedAt: a.deactivatedAt,
  };
}

/** The account payouts go to now, and the ones they went to before (newest first). */
export async function listBankAccounts(scope: MerchantScope, dbx: DbOrTx = db()): Promise<BankAccountView[]> {
  const list = await dbx
    .select()
    .from(merchantBankAccounts)
    .where(eq(merchantBankAccounts.merchantId, scope.merchantId))
    .orderBy(desc(merchantBankAccounts.active), desc(merchantBankAccounts.createdAt));
  return list.map(view);
}

export async function activeBankAccount(scope: MerchantScope, currency: string, dbx: DbOrTx = db()): Promise<BankAccountView | null> {
  const [a] = await dbx
    .select()
    .from(merchantBankAccounts)
    .where(
      and(eq(merchantBankAccounts.merchantId, scope.merchantId), eq(merchantBankAccounts.currency, currency), eq(merchantBankAccounts.active, true)),
    );
  return a ? view(a) : null;
}

export interface PayoutFailureView {
  payoutId: string;
  failedAt: Date | null;
  code: string | null;
  message: string | null;
}

/** The latest failed payout to an account: why its payouts are paused. */
export async function lastPayoutFailure(scope: MerchantScope, bankAccountId: string, dbx: DbOrTx = db()): Promise<PayoutFailureView | null> {
  const [p] = await dbx
    .select({ payoutId: payouts.id, failedAt: payouts.failedAt, code: payouts.failureCode, message: payouts.failureMessage })
    .from(payouts)
    .where(and(eq(payouts.merchantId, scope.merchantId), eq(payouts.bankAccountId, bankAccountId), eq(payouts.status, "failed")))
    .orderBy(desc(payouts.failedAt))
    .limit(1);
  return p ?? null;
}

export type SetBankAccountResult = { ok: true; account: BankAccountView } | ({ ok: false; status: 400 | 403 } & BankAccountProblem);

/**
 * Replaces the merchant's payout account for its currency. The caller has checked the
 * owner's permission and step-up; this refuses anyone but an owner regardless, so no
 * route can forget it. Payouts already created keep the account they copied.
 */
export async function setBankAccount(
  scope: MerchantScope,
  input: BankAccountInput,
  meta: { actor: AppContext; client?: Client; now?: Date },
  dbx: DbOrTx = db(),
): Promise<SetBankAccountResult> {
  const [m] = await dbx.select({ currency: merchants.currency }).from(merchants).where(eq(merchants.id, scope.merchantId));
  if (!m) throw new Error(`unknown merchant ${scope.merchantId}`);
  const currency = m.currency.trim();
  if (meta.actor.role !== "owner" || meta.actor.scope.merchantId !== scope.merchantId) {
    await audit(dbx, {
      actor: meta.actor,
      merchantId: scope.merchantId,
      action: "bank_account.change",
      outcome: "denied",
      details: { reason: "not_owner", role: meta.actor.role },
      client: meta.client,
    });
    return { ok: false, status: 403, field: "accountNumber", message: "Only the owner can change where payouts go." };
  }
  const checked = validateBankAccount(currency, input);
  if (!checked.ok) {
    await audit(dbx, {
      actor: meta.actor,
      merchantId: scope.merchantId,
      action: "bank_account.change",
      outcome: "failure",
      details: { reason: checked.message, field: checked.field, kind: input.kind },
      client: meta.client,
    });
    return { ok: false, status: 400, field: checked.field, message: checked.message };
  }
  const a = checked.account;
  const now = meta.now ?? new Date();
  const id = newId("ba", now);
  const saved = await dbx.transaction(async (tx) => {
    // Serialises two owners saving at once (one active account per currency is also a unique index).
    await tx.execute(sql`select id from merchants where id = ${scope.merchantId} for update`);
    const [previous] = await tx
      .update(merchantBankAccounts)
      .set({ active: false, deactivatedAt: now })
      .where(
        and(eq(merchantBankAccounts.merchantId, scope.merchantId), eq(merchantBankAccounts.currency, currency), eq(merchantBankAccounts.active, true)),
      )
      .returning();
    const [row] = await tx
      .insert(merchantBankAccounts)
      .values({
        merchantId: scope.merchantId,
        id,
        kind: a.kind,
        accountNumber: a.accountNumber,
        routingNumber: a.routingNumber,
        holderName: a.holderName,
        bankCode: a.bankCode,
        bankName: a.bankName,
        currency,
        // Format-checked; the sandbox has no micro-deposit step to verify ownership.
        verified: true,
        active: true,
        createdByUserId: meta.actor.user.id,
        createdAt: now,
      })
      .returning();
    await audit(tx, {
      actor: meta.actor,
      merchantId: scope.merchantId,
      action: "bank_account.change",
      outcome: "success",
      targetType: "bank_account",
      targetId: id,
      details: {
        kind: a.kind,
        currency,
        account: maskAccount(a.accountNumber),
        bank: a.bankName ?? a.routingNumber,
        holderName: a.holderName,
        replaced: previous ? { id: previous.id, account: maskAccount(previous.accountNumber) } : null,
      },
      client: meta.client,
    });
    await recordEvent(tx, scope.merchantId, "bank_account.updated", serializeBankAccount(row!));
    return row!;
  });
  await activateIfReady(scope, meta, dbx);
  return { ok: true, account: view(saved) };
}
