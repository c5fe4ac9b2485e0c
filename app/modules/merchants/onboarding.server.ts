/**
 * Onboarding: the checklist that takes a new merchant from `pending` to `active`, in
 * the order the source text gives (register, choose a provider, enable a terminal):
 * business details and contact; bank account; provider; first terminal. With the
 * sandbox provider the merchant is activated as soon as the list is complete (and the
 * activation is audited); until then it cannot take payments and says which steps are
 * missing.
 */
import { memberActor, type Client } from "~/lib/vocabulary";
import type { Localized } from "~/lib/i18n/messages";
import { and, count, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { merchantBankAccounts, merchants, terminals } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { isValidTimeZone } from "~/lib/dates/zones";
import { toLatinDigits } from "~/lib/digits";
import type { AppContext } from "~/modules/access/context";
import { audit } from "~/modules/audit/audit.server";
import { getProvider, listProviders } from "~/modules/processors/registry.server";
import { createTerminal, createTerminalSchema, rotateTerminalKey } from "~/modules/terminals/terminals.server";
import type { Scope } from "~/lib/vocabulary";

export type MerchantScope = Scope;

export type StepId = "business" | "bank" | "provider" | "terminal";

export const STEP_TITLES: Record<StepId, string> = {
  business: "Business details and contact",
  bank: "Bank account for payouts",
  provider: "Payment provider",
  terminal: "First terminal",
};

export interface OnboardingStep {
  id: StepId;
  title: string;
  done: boolean;
  /** What was entered (when done) or what is still needed. */
  summary: string;
}

export interface Onboarding {
  merchantId: string;
  name: string;
  status: "pending" | "active" | "suspended";
  currency: string;
  activatedAt: Date | null;
  steps: OnboardingStep[];
  complete: boolean;
  /** Why payments are refused right now, or null when the merchant can take them. */
  blocker: string | null;
  /** What the summaries say, as data, for pages that word them in the reader's language. */
  facts: {
    terminalCount: number;
    /** null without an account; false after a payout to it failed. */
    bankVerified: boolean | null;
    providerId: string | null;
    providerName: string | null;
  };
}

type MerchantRow = typeof merchants.$inferSelect;

async function loadMerchant(scope: MerchantScope, dbx: DbOrTx): Promise<MerchantRow> {
  const [m] = await dbx.select().from(merchants).where(eq(merchants.id, scope.merchantId));
  if (!m) throw new Error(`unknown merchant ${scope.merchantId}`);
  return m;
}

function businessDone(m: MerchantRow): boolean {
  return !!(m.legalName?.trim() && m.businessType?.trim() && m.contactEmail?.trim() && m.contactPhone?.trim());
}

export async function getOnboarding(scope: MerchantScope, dbx: DbOrTx = db()): Promise<Onboarding> {
  const m = await loadMerchant(scope, dbx);
  const currency = m.currency.trim();
  const [account] = await dbx
    .select()
    .from(merchantBankAccounts)
    .where(and(eq(merchantBankAccounts.merchantId, m.id), eq(merchantBankAccounts.currency, currency), eq(merchantBankAccounts.active, true)));
  const [terms] = await dbx
    .select({ n: count() })
    .from(terminals)
    .where(and(eq(terminals.merchantId, m.id), eq(terminals.status, "active")));
  const provider = m.processorId ? await getProvider(m.processorId, dbx) : null;
  const steps: OnboardingStep[] = [
    {
      id: "business",
      title: STEP_TITLES.business,
      done: businessDone(m),
      summary: businessDone(m)
        ? `${m.legalName} · ${m.businessType} · ${m.contactEmail} · ${m.contactPhone}`
        : "Legal name, what you sell, and a contact email and phone.",
    },
    {
      id: "bank",
      title: STEP_TITLES.bank,
      done: !!account,
      summary: account
        ? `${account.bankName ?? "Bank account"} ····${account.accountNumber.slice(-4)} (${account.holderName})` +
          (account.verified ? "" : ". A payout to it failed: payouts are paused until you enter another account.")
        : currency === "IRR"
          ? "The Sheba number (IR + 24 digits) your payouts go to."
          : "The account your payouts go to.",
    },
    {
      id: "provider",
      title: STEP_TITLES.provider,
      done: !!provider?.available,
      summary: provider?.available ? provider.name : "The payment provider that connects you to the card networks.",
    },
    {
      id: "terminal",
      title: STEP_TITLES.terminal,
      done: Number(terms?.n ?? 0) > 0,
      summary: Number(terms?.n ?? 0) > 0 ? `${terms!.n} active terminal${Number(terms!.n) === 1 ? "" : "s"}` : "A virtual terminal in this console, or an API terminal for your website.",
    },
  ];
  const complete = steps.every((s) => s.done);
  return {
    merchantId: m.id,
    name: m.name,
    status: m.status,
    currency,
    activatedAt: m.activatedAt,
    steps,
    complete,
    blocker: blockerFor(m.status, steps, provider?.name ?? null),
    facts: {
      terminalCount: Number(terms?.n ?? 0),
      bankVerified: account ? account.verified : null,
      providerId: provider?.available ? provider.id : null,
      providerName: provider?.name ?? null,
    },
  };
}

function blockerFor(status: Onboarding["status"], steps: OnboardingStep[], providerName: string | null): string | null {
  if (status === "active") return null;
  if (status === "suspended") return "This merchant account is suspended, so it cannot take payments. Contact support to reinstate it.";
  const missing = steps.filter((s) => !s.done).map((s) => s.title.toLowerCase());
  if (missing.length) {
    return `This merchant account is not active yet, so it cannot take payments. Finish onboarding: ${missing.join(", ")}.`;
  }
  return `This merchant account is waiting for ${providerName ?? "the provider"} to approve it, so it cannot take payments yet.`;
}

/**
 * Whether the merchant can take payments now and, if not, the reason to show (the
 * payments module and the virtual terminal use it to explain a refusal).
 */
export async function paymentReadiness(scope: MerchantScope, dbx: DbOrTx = db()): Promise<{ ready: true } | { ready: false; reason: string; missing: StepId[] }> {
  const o = await getOnboarding(scope, dbx);
  if (!o.blocker) return { ready: true };
  return { ready: false, reason: o.blocker, missing: o.steps.filter((s) => !s.done).map((s) => s.id) };
}

/**
 * Activates a pending merchant whose checklist is complete, when its provider
 * activates automatically (the sandbox). Idempotent: only the call that flips the
 * status writes the audit event.
 */
export async function activateIfReady(
  scope: MerchantScope,
  meta: { actor?: AppContext; client?: Client; now?: Date } = {},
  dbx: DbOrTx = db(),
): Promise<boolean> {
  const o = await getOnboarding(scope, dbx);
  if (o.status !== "pending" || !o.complete) return false;
  const m = await loadMerchant(scope, dbx);
  const provider = m.processorId ? await getProvider(m.processorId, dbx) : null;
  if (!provider || provider.activation !== "automatic") return false;
  const now = meta.now ?? new Date();
  const flipped = await dbx
    .update(merchants)
    .set({ status: "active", activatedAt: now, updatedAt: now })
    .where(and(eq(merchants.id, scope.merchantId), eq(merchants.status, "pending")))
    .returning({ id: merchants.id });
  if (!flipped.length) return false;
  await audit(dbx, {
    actor: meta.actor,
    merchantId: scope.merchantId,
    action: "merchant.activate",
    outcome: "success",
    targetType: "merchant",
    targetId: scope.merchantId,
    details: { provider: provider.id, activation: "automatic", steps: o.steps.map((s) => s.id) },
    client: meta.client,
  });
  return true;
}

/* ----------------------------- business details ----------------------------- */

const phone = z
  .string()
  .transform((v) => toLatinDigits(v).trim())
  .refine((v) => /^\+?[0-9 ()\-.]{7,24}$/.test(v) && v.replace(/\D/g, "").length >= 7 && v.replace(/\D/g, "").length <= 15, {
    message: "Enter a phone number with 7 to 15 digits, like +98 21 5555 0100.",
  });

export const businessDetailsSchema = z.object({
  name: z.string().trim().min(2, "Enter the name customers know you by.").max(100, "Keep the name under 100 characters."),
  legalName: z.string().trim().min(2, "Enter the registered (legal) name of the business.").max(200, "Keep the legal name under 200 characters."),
  businessType: z.string().trim().min(2, "Say what the business sells, like “Coffee shop”.").max(100, "Keep it under 100 characters."),
  contactEmail: z.string().trim().max(254).email("Enter an email address like name@example.com."),
  contactPhone: phone,
  website: z
    .string()
    .trim()
    .max(200, "Keep the web address under 200 characters.")
    .refine((v) => v === "" || /^https?:\/\/[^\s/$.?#].[^\s]*$/i.test(v), { message: "Enter the web address with http:// or https://, or leave it empty." })
    .optional()
    .transform((v) => (v ? v : null)),
  timeZone: z
    .string()
    .trim()
    .refine((v) => isValidTimeZone(v), { message: "Choose a time zone from the list, like Asia/Tehran." })
    .optional(),
});

export type BusinessDetailsInput = z.input<typeof businessDetailsSchema>;
export type FieldResult = { ok: true } | { ok: false; field: string; message: string };

export async function getBusinessDetails(scope: MerchantScope, dbx: DbOrTx = db()) {
  const m = await loadMerchant(scope, dbx);
  return {
    name: m.name,
    legalName: m.legalName ?? "",
    businessType: m.businessType ?? "",
    contactEmail: m.contactEmail ?? "",
    contactPhone: m.contactPhone ?? "",
    website: m.website ?? "",
    timeZone: m.timeZone,
    country: m.country,
    currency: m.currency.trim(),
    status: m.status,
  };
}

export async function updateBusinessDetails(
  scope: MerchantScope,
  input: BusinessDetailsInput,
  meta: { actor: AppContext; client?: Client },
  dbx: DbOrTx = db(),
): Promise<FieldResult> {
  const parsed = businessDetailsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, field: String(issue.path[0] ?? "name"), message: issue.message };
  }
  const v = parsed.data;
  const before = await getBusinessDetails(scope, dbx);
  await dbx
    .update(merchants)
    .set({
      name: v.name,
      legalName: v.legalName,
      businessType: v.businessType,
      contactEmail: v.contactEmail,
      contactPhone: v.contactPhone,
      website: v.website,
      ...(v.timeZone ? { timeZone: v.timeZone } : {}),
      updatedAt: sql`now()`,
    })
    .where(eq(merchants.id, scope.merchantId));
  const changed = Object.fromEntries(
    Object.entries(v).filter(([k, x]) => x !== undefined && (before as Record<string, unknown>)[k] !== (x ?? "")),
  );
  await audit(dbx, {
    actor: meta.actor,
    merchantId: scope.merchantId,
    action: "merchant.details_update",
    outcome: "success",
    targetType: "merchant",
    targetId: scope.merchantId,
    details: { changed: Object.keys(changed), ...(changed.timeZone ? { timeZone: { from: before.timeZone, to: changed.timeZone } } : {}) },
    client: meta.client,
  });
  await activateIfReady(scope, meta, dbx);
  return { ok: true };
}

/* --------------------------------- provider --------------------------------- */

export { listProviders };

export async function chooseProvider(
  scope: MerchantScope,
  providerId: string,
  meta: { actor: AppContext; client?: Client },
  dbx: DbOrTx = db(),
): Promise<FieldResult | { ok: false; field: string; message: string; i18n: Localized }> {
  const provider = await getProvider(providerId, dbx);
  if (!provider || !provider.available) {
    return { ok: false, field: "providerId", message: "Choose one of the providers offered in the list.", i18n: { key: "onboarding.error.unknownProvider" } };
  }
  const m = await loadMerchant(scope, dbx);
  if (m.processorId && m.processorId !== provider.id && m.status !== "pending") {
    return {
      ok: false,
      field: "providerId",
      message: "An active merchant changes provider through support, so no payment is caught between two providers.",
      i18n: { key: "onboarding.error.providerLocked" },
    };
  }
  await dbx.update(merchants).set({ processorId: provider.id, updatedAt: sql`now()` }).where(eq(merchants.id, scope.merchantId));
  await audit(dbx, {
    actor: meta.actor,
    merchantId: scope.merchantId,
    action: "merchant.provider_choose",
    outcome: "success",
    targetType: "processor",
    targetId: provider.id,
    details: { from: m.processorId, to: provider.id },
    client: meta.client,
  });
  await activateIfReady(scope, meta, dbx);
  return { ok: true };
}

/* ------------------------------ first terminal ------------------------------ */

export type FirstTerminalResult =
  | { ok: true; terminalId: string; apiKey: string | null }
  | { ok: false; field?: string; message: string; status: 400 | 404 | 409; i18n?: Localized };

/** Creates a terminal through the terminals module (an API terminal gets its key, shown once). */
export async function enableFirstTerminal(
  scope: MerchantScope,
  input: { name: string; kind: string; location?: string },
  meta: { actor: AppContext; client?: Client },
): Promise<FirstTerminalResult> {
  const parsed = createTerminalSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, status: 400, field: String(issue.path[0] ?? "name"), message: issue.message };
  }
  const created = await createTerminal(scope, memberActor(meta.actor), parsed.data, { client: meta.client });
  if (!created.ok) return created;
  let apiKey: string | null = null;
  if (parsed.data.kind === "api") {
    const key = await rotateTerminalKey(scope, memberActor(meta.actor), created.id, { client: meta.client });
    if (key.ok) apiKey = key.key;
  }
  await activateIfReady(scope, meta);
  return { ok: true, terminalId: created.id, apiKey };
}
