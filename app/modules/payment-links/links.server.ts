/**
 * Payment links: the merchant's side. Create (form and API share createPaymentLink),
 * list with what each link has taken, read, deactivate. Every function takes the
 * merchant's scope first and filters by it; the public side is checkout.server.ts.
 */
import crypto from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { checkoutBlocks, merchants, paymentLinkRoutes, paymentLinks, payments } from "~db/schema";
import { db, rows as sqlRows, type DbOrTx, type Tx } from "~db/client.server";
import { isCurrencyCode, maxMinorUnits } from "~/lib/money";
import { audit } from "~/modules/audit/audit.server";
import { recordEvent } from "~/modules/events/events.server";
import type { Actor, Scope } from "~/lib/vocabulary";
import { failure, moneyText, type Result } from "~/modules/payments/failure";
import { PAYMENT_LINE_COLUMNS } from "~/modules/payments/payments.server";
import { linkTerminal } from "~/modules/terminals/link-terminal.server";

export type PaymentLink = typeof paymentLinks.$inferSelect;

import { CUSTOMER_FIELDS, LINK_DESCRIPTION_MAX, REDIRECT_URL_MAX, type CustomerField } from "~/lib/payment-links";
import { isoOrNull } from "~/lib/dates/format";

export { CUSTOMER_FIELDS, LINK_DESCRIPTION_MAX, REDIRECT_URL_MAX, type CustomerField };

/** What a link is today, as the list and the public page say it. */
export type LinkState = "active" | "expired" | "used" | "deactivated";

export interface CreateLinkInput {
  amount: bigint | null;
  minAmount: bigint | null;
  maxAmount: bigint | null;
  description: string;
  customerFields: CustomerField[];
  reusable: boolean;
  expiresAt: Date | null;
  redirectUrl: string | null;
}

/** A link's change in the audit log; through the API, the terminal is named in the details too. */
function auditLink(tx: Tx, scope: Scope, actor: Actor, action: string, id: string, details: Record<string, unknown> = {}) {
  return audit(tx, {
    merchantId: scope.merchantId,
    actor,
    action,
    outcome: "success",
    targetType: "payment_link",
    targetId: id,
    details: { ...details, ...(actor.kind === "terminal" ? { via: "api", terminalId: actor.terminalId } : {}) },
  });
}

/** A link id: short enough to read aloud and type from a printed QR caption, random enough not to guess. */
function newLinkId(): string {
  const alphabet = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
  const bytes = crypto.randomBytes(10);
  let s = "";
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return `pl_${s}`;
}

export function redirectUrlProblem(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return "redirect_url must be an absolute URL, like https://shop.example/thanks.";
  }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname))) {
    return "redirect_url must start with https:// (http:// only for localhost while testing).";
  }
  if (u.username || u.password) return "redirect_url must not contain a user name or password.";
  if (raw.length > REDIRECT_URL_MAX) return `redirect_url must be at most ${REDIRECT_URL_MAX} characters.`;
  return null;
}

/** The rules of a link, shared by the console's form and the API (each maps the field names). */
export function validateLinkInput(
  input: CreateLinkInput,
  currency: string,
  now: Date,
): { ok: true; value: CreateLinkInput } | { ok: false; field: keyof CreateLinkInput; code: string; message: string } {
  const max = isCurrencyCode(currency) ? maxMinorUnits(currency) : 10n ** 17n;
  const desc = input.description.trim();
  if (desc === "") return { ok: false, field: "description", code: "description_missing", message: "Describe what the customer pays for." };
  if (desc.length > LINK_DESCRIPTION_MAX) {
    return { ok: false, field: "description", code: "description_too_long", message: `The description must be at most ${LINK_DESCRIPTION_MAX} characters.` };
  }
  if (input.amount !== null) {
    if (input.minAmount !== null || input.maxAmount !== null) {
      return { ok: false, field: "amount", code: "amount_conflict", message: "Give either a fixed amount or a minimum and maximum, not both." };
    }
    if (input.amount <= 0n || input.amount > max) return { ok: false, field: "amount", code: "amount_invalid", message: `The amount must be between 1 and ${max} minor units.` };
  } else {
    if (input.minAmount === null) return { ok: false, field: "minAmount", code: "amount_missing", message: "Give a fixed amount, or the minimum and maximum the customer may enter." };
    if (input.maxAmount === null) return { ok: false, field: "maxAmount", code: "max_amount_missing", message: "Give the maximum the customer may enter." };
    if (input.minAmount <= 0n || input.minAmount > max) return { ok: false, field: "minAmount", code: "amount_invalid", message: "The minimum must be greater than zero." };
    if (input.maxAmount > max) return { ok: false, field: "maxAmount", code: "amount_invalid", message: `The maximum must be at most ${max} minor units.` };
    if (input.maxAmount < input.minAmount) {
      return { ok: false, field: "maxAmount", code: "max_below_min", message: `The maximum must be at least the minimum (${moneyText(input.minAmount, currency)}).` };
    }
  }
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
    return { ok: false, field: "expiresAt", code: "expires_in_past", message: "The expiry must be in the future." };
  }
  if (input.redirectUrl) {
    const p = redirectUrlProblem(input.redirectUrl);
    if (p) return { ok: false, field: "redirectUrl", code: "redirect_url_invalid", message: p };
  }
  const fields = [...new Set(input.customerFields)].filter((f) => (CUSTOMER_FIELDS as readonly string[]).includes(f));
  return { ok: true, value: { ...input, description: desc, customerFields: fields, redirectUrl: input.redirectUrl || null } };
}

export async function createPaymentLink(
  scope: Scope,
  actor: Actor,
  raw: CreateLinkInput,
  now: Date = new Date(),
): Promise<Result<{ link: PaymentLink }>> {
  const [m] = await db().select({ currency: merchants.currency }).from(merchants).where(eq(merchants.id, scope.merchantId));
  if (!m) return failure(404, "merchant_not_found", "Unknown merchant.");
  const v = validateLinkInput(raw, m.currency, now);
  if (!v.ok) return failure(400, v.code, v.message, v.field);
  const input = v.value;
  const link = await db().transaction(async (tx: Tx) => {
    const terminal = await linkTerminal(tx, scope.merchantId, now);
    const id = newLinkId();
    await tx.insert(paymentLinkRoutes).values({ id, merchantId: scope.merchantId });
    const [row] = await tx
      .insert(paymentLinks)
      .values({
        merchantId: scope.merchantId,
        id,
        terminalId: terminal.id,
        currency: m.currency,
        amount: input.amount,
        minAmount: input.amount === null ? input.minAmount : null,
        maxAmount: input.amount === null ? input.maxAmount : null,
        description: input.description,
        customerFields: input.customerFields,
        reusable: input.reusable,
        expiresAt: input.expiresAt,
        redirectUrl: input.redirectUrl,
        createdByUserId: actor.kind === "member" ? actor.member.user.id : null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await auditLink(tx, scope, actor, "payment_link.create", id, {
      amount: input.amount,
      minAmount: input.minAmount,
      maxAmount: input.maxAmount,
      reusable: input.reusable,
      expiresAt: input.expiresAt,
    });
    // Last in the transaction: the event exists exactly when the link does.
    await recordEvent(tx, scope.merchantId, "payment_link.created", serializeLink({ ...row!, stats: EMPTY_STATS, state: linkState(row!, 0, now) }, actor.client?.origin ?? ""), now);
    return row!;
  });
  return { ok: true, link };
}

export interface LinkStats {
  paidCount: number;
  paidTotal: bigint;
  attempts: number;
  pendingCount: number;
}

export interface LinkWithStats extends PaymentLink {
  state: LinkState;
  stats: LinkStats;
}

export function linkState(l: Pick<PaymentLink, "status" | "expiresAt" | "reusable">, paidCount: number, now: Date): LinkState {
  if (l.status === "deactivated") return "deactivated";
  if (!l.reusable && paidCount > 0) return "used";
  if (l.expiresAt && l.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

async function statsOf(scope: Scope, ids: string[], dbx: DbOrTx = db()): Promise<Map<string, LinkStats>> {
  const out = new Map<string, LinkStats>();
  if (ids.length === 0) return out;
  const rows = await sqlRows<{ id: string; paid: number; total: string; attempts: number; pending: number }>(dbx, sql`
    select payment_link_id as id,
           count(*) filter (where status in ('captured', 'authorized'))::int as paid,
           coalesce(sum(amount) filter (where status in ('captured', 'authorized')), 0)::text as total,
           count(*)::int as attempts,
           count(*) filter (where status = 'pending')::int as pending
      from payments
     where merchant_id = ${scope.merchantId} and payment_link_id in (${sql.join(ids.map((i) => sql`${i}`), sql`, `)})
     group by payment_link_id`);
  for (const r of rows) out.set(r.id, { paidCount: r.paid, paidTotal: BigInt(r.total), attempts: r.attempts, pendingCount: r.pending });
  return out;
}

const EMPTY_STATS: LinkStats = { paidCount: 0, paidTotal: 0n, attempts: 0, pendingCount: 0 };

export async function listPaymentLinks(
  scope: Scope,
  opts: { limit?: number; now?: Date } = {},
): Promise<LinkWithStats[]> {
  const now = opts.now ?? new Date();
  const rows = await db()
    .select()
    .from(paymentLinks)
    .where(eq(paymentLinks.merchantId, scope.merchantId))
    .orderBy(desc(paymentLinks.createdAt), desc(paymentLinks.id))
    .limit(Math.min(Math.max(opts.limit ?? 200, 1), 500));
  const stats = await statsOf(scope, rows.map((r) => r.id));
  return rows.map((r) => {
    const s = stats.get(r.id) ?? EMPTY_STATS;
    return { ...r, stats: s, state: linkState(r, s.paidCount, now) };
  });
}

export async function getPaymentLink(scope: Scope, id: string, now: Date = new Date(), dbx: DbOrTx = db()): Promise<LinkWithStats | null> {
  if (typeof id !== "string" || !/^pl_[A-Za-z0-9]{1,40}$/.test(id)) return null;
  const [r] = await dbx.select().from(paymentLinks).where(and(eq(paymentLinks.merchantId, scope.merchantId), eq(paymentLinks.id, id)));
  if (!r) return null;
  const s = (await statsOf(scope, [r.id], dbx)).get(r.id) ?? EMPTY_STATS;
  return { ...r, stats: s, state: linkState(r, s.paidCount, now) };
}

/** Deactivating twice is the same as once (the API's POST is idempotent by nature). */
export async function deactivatePaymentLink(
  scope: Scope,
  actor: Actor,
  id: string,
  now: Date = new Date(),
): Promise<Result<{ link: LinkWithStats; changed: boolean }>> {
  const existing = await getPaymentLink(scope, id, now);
  if (!existing) return failure(404, "resource_missing", "No such payment link.", "id");
  if (existing.status === "deactivated") return { ok: true, link: existing, changed: false };
  const changed = await db().transaction(async (tx: Tx) => {
    const done = await tx
      .update(paymentLinks)
      .set({ status: "deactivated", deactivatedAt: now, updatedAt: now })
      .where(and(eq(paymentLinks.merchantId, scope.merchantId), eq(paymentLinks.id, id), eq(paymentLinks.status, "active")))
      .returning({ id: paymentLinks.id });
    // Deactivated meanwhile by someone else: their audit entry and event stand, no second one.
    if (done.length === 0) return false;
    await auditLink(tx, scope, actor, "payment_link.deactivate", id);
    const after = (await getPaymentLink(scope, id, now, tx))!;
    await recordEvent(tx, scope.merchantId, "payment_link.deactivated", serializeLink(after, actor.client?.origin ?? ""), now);
    return true;
  });
  const link = (await getPaymentLink(scope, id, now))!;
  return { ok: true, link, changed };
}

/** Addresses blocked for card testing on this merchant's links, newest first (the owner's view). */
export async function recentBlocks(scope: Scope, now: Date = new Date()) {
  return db()
    .select()
    .from(checkoutBlocks)
    .where(and(eq(checkoutBlocks.merchantId, scope.merchantId), sql`${checkoutBlocks.blockedUntil} > ${new Date(now.getTime() - 7 * 86_400_000).toISOString()}::timestamptz`))
    .orderBy(desc(checkoutBlocks.blockedAt))
    .limit(50);
}

export const apiLinkSchema = z
  .object({
    amount: z.unknown().optional(),
    min_amount: z.unknown().optional(),
    max_amount: z.unknown().optional(),
    description: z.string({ message: "description is required: what the customer pays for." }).max(LINK_DESCRIPTION_MAX + 1000),
    reusable: z.boolean({ message: "reusable must be true or false." }).optional(),
    expires_at: z.string({ message: "expires_at must be an ISO 8601 instant." }).max(40).nullable().optional(),
    redirect_url: z.string({ message: "redirect_url must be a string." }).max(REDIRECT_URL_MAX + 100).nullable().optional(),
    customer_fields: z.array(z.enum(CUSTOMER_FIELDS, { message: "customer_fields may hold name, phone, email and note." })).max(4).optional(),
  })
  .strict();

export function serializeLink(l: LinkWithStats, origin: string) {
  return {
    id: l.id,
    object: "payment_link" as const,
    url: `${origin}/pay/${l.id}`,
    status: l.state,
    amount: l.amount?.toString() ?? null,
    min_amount: l.minAmount?.toString() ?? null,
    max_amount: l.maxAmount?.toString() ?? null,
    currency: l.currency,
    description: l.description,
    customer_fields: l.customerFields,
    reusable: l.reusable,
    expires_at: isoOrNull(l.expiresAt),
    redirect_url: l.redirectUrl,
    payments_count: l.stats.paidCount,
    payments_total: l.stats.paidTotal.toString(),
    created_at: isoOrNull(l.createdAt),
    deactivated_at: isoOrNull(l.deactivatedAt),
  };
}

/** The latest payments through a link, newest first (the link's page). */
export async function linkPayments(scope: Scope, linkId: string, limit = 50) {
  return db()
    .select({ ...PAYMENT_LINE_COLUMNS, declineCode: payments.declineCode, customerReference: payments.customerReference })
    .from(payments)
    .where(and(eq(payments.merchantId, scope.merchantId), eq(payments.paymentLinkId, linkId)))
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(limit);
}
