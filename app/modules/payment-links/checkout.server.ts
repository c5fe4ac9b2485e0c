/**
 * Payment links: the cardholder's side. A visit to /pay/:link becomes a checkout once
 * the cardholder has said how much and who they are; the card is tokenized by the
 * provider in their browser (this server only ever sees the token); the payment is
 * created under the checkout's id as idempotency key (a double submit, a retry or a
 * reopened tab never makes a second one); the provider authenticates the cardholder on
 * its own page and sends them back here, where the outcome is read from the provider
 * (inquiry) exactly as the reconciliation job reads a pending payment's.
 */
import crypto from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { checkoutBlocks, checkouts, merchants, paymentLinkRoutes, terminals } from "~db/schema";
import { db, rows as sqlRows } from "~db/client.server";
import { newId } from "~/lib/ids";
import { maskedCardOf } from "~/lib/card";
import { audit } from "~/modules/audit/audit.server";
import { moneyText, pgCode } from "~/modules/payments/failure";
import { applyAuthorizationOutcome, createPayment, getPayment, type Payment } from "~/modules/payments/payments.server";
import { checkoutSecret, receiptToken, traceNumber } from "~/modules/payments/receipts.server";
import { processorFor } from "~/modules/processors/sandbox-processor.server";
import { outcomeOf } from "~/modules/payments/inquiry-outcome";
import { activeBlock, normalizePhone, type PublicMerchant } from "~/modules/cardholder/public.server";
import { getPaymentLink, type CustomerField, type LinkWithStats } from "./links.server";
import { mandateText, saveCardFromCheckout } from "~/modules/subscriptions/customers.server";
import { env } from "~/lib/env.server";

export const checkoutConfig = {
  /** How long a checkout (amount and details entered, card not yet paid) stays usable. */
  checkoutTtlMs: 30 * 60_000,
  /** Card testing: more declines than this from one address in an hour blocks it. */
  declinesPerIpPerHour: env.CHECKOUT_DECLINES_PER_IP_PER_HOUR,
  /** How long such a block lasts. */
  blockMs: env.CHECKOUT_BLOCK_MS,
  /** Checkouts one address may start on one link in an hour. */
  checkoutsPerIpPerLinkPerHour: env.CHECKOUT_PER_IP_PER_LINK_PER_HOUR,
  /** Payment attempts one link takes in an hour, from everyone. */
  attemptsPerLinkPerHour: env.CHECKOUT_ATTEMPTS_PER_LINK_PER_HOUR,
};

export function configureCheckout(c: Partial<typeof checkoutConfig>): void {
  Object.assign(checkoutConfig, c);
}

export type Checkout = typeof checkouts.$inferSelect;

export type { PublicMerchant };

export interface PublicLink {
  link: LinkWithStats;
  merchant: PublicMerchant;
}

const HOUR = 3_600_000;

/** A link by its public id (no sign-in): the link, what it has taken, and whose it is. */
export async function resolvePublicLink(linkId: string, now: Date = new Date()): Promise<PublicLink | null> {
  if (typeof linkId !== "string" || !/^pl_[A-Za-z0-9]{1,40}$/.test(linkId)) return null;
  const [route] = await db().select().from(paymentLinkRoutes).where(eq(paymentLinkRoutes.id, linkId));
  if (!route) return null;
  const link = await getPaymentLink({ merchantId: route.merchantId }, linkId, now);
  if (!link) return null;
  const [m] = await db().select().from(merchants).where(eq(merchants.id, route.merchantId));
  if (!m) return null;
  return {
    link,
    merchant: { id: m.id, name: m.name, currency: m.currency, timeZone: m.timeZone, defaultLocale: m.defaultLocale, active: m.status === "active" },
  };
}

// ---- signatures ----------------------------------------------------------------------

/**
 * What the merchant's site receives on its redirect URL, and how it checks it:
 * signature = hex HMAC-SHA256(secret, "payment_id.status.amount.link_id").
 */
export function redirectSignature(secret: string, p: { paymentId: string; status: string; amount: bigint | string; linkId: string }): string {
  return crypto.createHmac("sha256", secret).update(`${p.paymentId}.${p.status}.${p.amount.toString()}.${p.linkId}`).digest("hex");
}

export function verifyRedirectSignature(secret: string, p: { paymentId: string; status: string; amount: string; linkId: string }, signature: string): boolean {
  const expected = Buffer.from(redirectSignature(secret, p));
  const given = Buffer.from(String(signature));
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

// ---- abuse ---------------------------------------------------------------------------

/** After a decline: more than N from one address in an hour blocks it (and says so in the audit trail). */
async function countDecline(merchantId: string, ip: string | null, linkId: string, now: Date): Promise<void> {
  if (!ip) return;
  const [r] = await sqlRows<{ n: number }>(
    db(),
    sql`select count(*)::int as n from checkouts c join payments p on p.merchant_id = c.merchant_id and p.id = c.payment_id
         where c.merchant_id = ${merchantId} and c.client_ip = ${ip} and p.status in ('declined', 'failed')
           and p.created_at >= ${new Date(now.getTime() - HOUR).toISOString()}::timestamptz`,
  );
  const declines = r?.n ?? 0;
  if (declines <= checkoutConfig.declinesPerIpPerHour) return;
  if (await activeBlock(merchantId, ip, now)) return;
  const until = new Date(now.getTime() + checkoutConfig.blockMs);
  await db().insert(checkoutBlocks).values({ merchantId, clientIp: ip, declines, blockedAt: now, blockedUntil: until }).onConflictDoNothing();
  await audit(db(), {
    merchantId,
    action: "payment_link.card_testing_blocked",
    outcome: "denied",
    targetType: "payment_link",
    targetId: linkId,
    details: { ip, declines, blockedUntil: until },
  });
}

// ---- the checkout --------------------------------------------------------------------

export interface CheckoutInput {
  amount: bigint | null;
  name?: string;
  phone?: string;
  email?: string;
  note?: string;
  locale: string;
  /** The cardholder agreed to save the card for future payments to this merchant (the mandate shown in `locale`). */
  saveCard?: boolean;
}

export type CheckoutField = "amount" | CustomerField | "form";

export type CheckoutRefusal = {
  ok: false;
  status: number;
  code: string;
  field: CheckoutField;
  message: string;
  params?: Record<string, string | number>;
};

function refuse(status: number, code: string, field: CheckoutField, message: string, params?: Record<string, string | number>): CheckoutRefusal {
  return { ok: false, status, code, field, message, ...(params ? { params } : {}) };
}

/** Why a link takes no payment now, or null. */
export function linkClosedReason(pl: PublicLink): "expired" | "used" | "deactivated" | "merchant_inactive" | null {
  if (!pl.merchant.active) return "merchant_inactive";
  if (pl.link.state === "active") return null;
  return pl.link.state;
}

const PHONE = /^\+?[0-9]{8,15}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,185}\.[^\s@]{2,}$/;

/** Step one: the amount (open links) and the details the merchant asked for. */
export async function startCheckout(
  linkId: string,
  input: CheckoutInput,
  ctx: { ip: string | null; now?: Date },
): Promise<{ ok: true; checkout: Checkout } | CheckoutRefusal> {
  const now = ctx.now ?? new Date();
  const pl = await resolvePublicLink(linkId, now);
  if (!pl) return refuse(404, "link_not_found", "form", "This payment link does not exist.");
  const closed = linkClosedReason(pl);
  if (closed) return refuse(410, `link_${closed}`, "form", "This payment link takes no payments.");
  const { link, merchant } = pl;
  const blocked = await activeBlock(merchant.id, ctx.ip, now);
  if (blocked) return refuse(429, "ip_blocked", "form", "Too many declined cards from this connection.", { until: blocked.toISOString() });

  const [recent] = await sqlRows<{ n: number }>(
    db(),
    sql`select count(*)::int as n from checkouts where merchant_id = ${merchant.id} and link_id = ${link.id}
          and client_ip is not distinct from ${ctx.ip} and created_at >= ${new Date(now.getTime() - HOUR).toISOString()}::timestamptz`,
  );
  if ((recent?.n ?? 0) >= checkoutConfig.checkoutsPerIpPerLinkPerHour) {
    return refuse(429, "too_many_attempts", "form", "Too many attempts on this link from this connection; try again in an hour.");
  }

  let amount: bigint;
  if (link.amount !== null) amount = link.amount;
  else {
    if (input.amount === null) return refuse(400, "amount_missing", "amount", "Enter the amount to pay.");
    if (input.amount < link.minAmount! || input.amount > link.maxAmount!) {
      return refuse(400, "amount_out_of_range", "amount", `Enter an amount from ${moneyText(link.minAmount!, link.currency)} to ${moneyText(link.maxAmount!, link.currency)}.`, {
        min: link.minAmount!.toString(),
        max: link.maxAmount!.toString(),
      });
    }
    amount = input.amount;
  }
  const asked = new Set(link.customerFields);
  const name = asked.has("name") ? (input.name ?? "").trim() : "";
  const phone = asked.has("phone") ? normalizePhone(input.phone ?? "") : "";
  const email = asked.has("email") ? (input.email ?? "").trim() : "";
  const note = asked.has("note") ? (input.note ?? "").trim() : "";
  if (asked.has("name") && (name.length < 2 || name.length > 100)) return refuse(400, "name_invalid", "name", "Enter your name (2 to 100 characters).");
  if (asked.has("phone") && !PHONE.test(phone)) return refuse(400, "phone_invalid", "phone", "Enter a mobile number, like 09121234567.");
  if (asked.has("email") && (!EMAIL.test(email) || email.length > 254)) return refuse(400, "email_invalid", "email", "Enter an e-mail address, like name@example.com.");
  if (note.length > 500) return refuse(400, "note_too_long", "note", "The note must be at most 500 characters.", { max: 500 });

  const [row] = await db()
    .insert(checkouts)
    .values({
      merchantId: merchant.id,
      id: newId("chk", now),
      linkId: link.id,
      amount,
      currency: link.currency,
      customerName: name || null,
      customerPhone: phone || null,
      customerEmail: email || null,
      customerNote: note || null,
      clientIp: ctx.ip,
      locale: input.locale === "en" ? "en" : "fa",
      ...(input.saveCard
        ? { saveCardMandate: mandateText(merchant.name, input.locale === "en" ? "en" : "fa"), saveCardLocale: input.locale === "en" ? "en" : "fa", saveCardConsentAt: now }
        : {}),
      createdAt: now,
      updatedAt: now,
      expiresAt: new Date(now.getTime() + checkoutConfig.checkoutTtlMs),
    })
    .returning();
  return { ok: true, checkout: row! };
}

export async function getCheckout(linkId: string, checkoutId: string): Promise<{ pl: PublicLink; checkout: Checkout } | null> {
  if (typeof checkoutId !== "string" || !/^chk_[a-z0-9]{1,40}$/.test(checkoutId)) return null;
  const pl = await resolvePublicLink(linkId);
  if (!pl) return null;
  const [c] = await db()
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.merchantId, pl.merchant.id), eq(checkouts.id, checkoutId), eq(checkouts.linkId, linkId)));
  return c ? { pl, checkout: c } : null;
}

/** A single-use link is held by one checkout at a time; a holder whose payment did not go through lets go. */
async function holdLink(c: Checkout): Promise<boolean> {
  for (let i = 0; i < 2; i++) {
    try {
      await db()
        .update(checkouts)
        .set({ holdsLink: true })
        .where(and(eq(checkouts.merchantId, c.merchantId), eq(checkouts.id, c.id)));
      return true;
    } catch (e) {
      if (pgCode(e) !== "23505") throw e;
      const [holder] = await db()
        .select()
        .from(checkouts)
        .where(and(eq(checkouts.merchantId, c.merchantId), eq(checkouts.linkId, c.linkId), eq(checkouts.holdsLink, true)));
      if (!holder || holder.id === c.id) return true;
      const p = holder.paymentId ? await getPayment({ merchantId: c.merchantId }, holder.paymentId) : undefined;
      const stale = p ? ["declined", "failed", "voided"].includes(p.status) : holder.expiresAt.getTime() < Date.now();
      if (!stale) return false;
      await db()
        .update(checkouts)
        .set({ holdsLink: false })
        .where(and(eq(checkouts.merchantId, c.merchantId), eq(checkouts.id, holder.id)));
    }
  }
  return false;
}

export type PayOutcome =
  | { ok: true; kind: "authenticate"; redirectUrl: string }
  | { ok: true; kind: "done"; payment: Payment }
  | CheckoutRefusal;

/**
 * Step two: pay the checkout with the token the provider gave the cardholder's browser.
 * The checkout's id is the payment's idempotency key: one checkout, one payment.
 */
export async function payCheckout(
  linkId: string,
  checkoutId: string,
  token: string,
  ctx: { ip: string | null; now?: Date },
): Promise<PayOutcome> {
  const now = ctx.now ?? new Date();
  const found = await getCheckout(linkId, checkoutId);
  if (!found) return refuse(404, "checkout_not_found", "form", "This payment page has expired; start again from the link.");
  const { pl, checkout } = found;
  const scope = { merchantId: pl.merchant.id };
  if (checkout.paymentId) {
    // Already paid or paying: the same answer again, never a second payment.
    const p = await getPayment(scope, checkout.paymentId);
    if (p && p.status !== "pending") return { ok: true, kind: "done", payment: p };
  }
  if (!checkout.paymentId) {
    const closed = linkClosedReason(pl);
    if (closed) return refuse(410, `link_${closed}`, "form", "This payment link takes no payments.");
    if (checkout.expiresAt.getTime() <= now.getTime()) return refuse(410, "checkout_expired", "form", "This payment page has expired; start again from the link.");
    const blocked = await activeBlock(pl.merchant.id, ctx.ip, now);
    if (blocked) return refuse(429, "ip_blocked", "form", "Too many declined cards from this connection.", { until: blocked.toISOString() });
    const [load] = await sqlRows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from payments where merchant_id = ${pl.merchant.id} and payment_link_id = ${linkId}
            and created_at >= ${new Date(now.getTime() - HOUR).toISOString()}::timestamptz`,
    );
    if ((load?.n ?? 0) >= checkoutConfig.attemptsPerLinkPerHour) {
      return refuse(429, "link_busy", "form", "This link has taken too many attempts in the last hour; try again later.");
    }
    if (!pl.link.reusable && !(await holdLink(checkout))) {
      return refuse(409, "link_in_use", "form", "Someone is paying this link right now; try again in a few minutes.");
    }
  }
  if (typeof token !== "string" || !/^tok_[A-Za-z0-9]{1,64}$/.test(token)) {
    return refuse(400, "token_invalid", "form", "The card could not be read; enter it again.");
  }
  const [terminal] = await db()
    .select({ id: terminals.id })
    .from(terminals)
    .where(and(eq(terminals.merchantId, pl.merchant.id), eq(terminals.id, pl.link.terminalId)));
  if (!terminal) return refuse(410, "link_deactivated", "form", "This payment link takes no payments.");

  const r = await createPayment(
    scope,
    {
      amount: checkout.amount,
      currency: checkout.currency,
      token,
      description: pl.link.description,
      customerReference: checkout.customerName ?? checkout.customerPhone ?? checkout.customerEmail ?? null,
      capture: true,
      channel: "ecommerce",
      authentication: { returnUrl: `/pay/${linkId}/${checkoutId}`, merchantName: pl.merchant.name, locale: checkout.locale },
    },
    { terminalId: pl.link.terminalId, idempotencyKey: `checkout:${checkoutId}`, paymentLinkId: linkId, now },
  );
  if (!r.ok) {
    if (!pl.link.reusable) await releaseHold(checkout);
    const field: CheckoutField = "form";
    return refuse(r.error.status, r.error.code, field, r.error.message);
  }
  if (!checkout.paymentId) {
    await db()
      .update(checkouts)
      .set({ paymentId: r.payment.id, status: "paying", updatedAt: now })
      .where(and(eq(checkouts.merchantId, checkout.merchantId), eq(checkouts.id, checkout.id)));
  }
  if (r.nextAction) return { ok: true, kind: "authenticate", redirectUrl: r.nextAction.redirectUrl };
  await settleCheckout({ ...checkout, paymentId: r.payment.id }, r.payment, pl, ctx.ip, now);
  return { ok: true, kind: "done", payment: r.payment };
}

async function releaseHold(c: Checkout): Promise<void> {
  await db()
    .update(checkouts)
    .set({ holdsLink: false })
    .where(and(eq(checkouts.merchantId, c.merchantId), eq(checkouts.id, c.id)));
}

async function settleCheckout(c: Checkout, p: Payment, pl: PublicLink, ip: string | null, now: Date): Promise<void> {
  if (p.status === "pending") return;
  const paid = p.status === "captured" || p.status === "authorized";
  await db()
    .update(checkouts)
    .set({ status: paid ? "completed" : "abandoned", updatedAt: now, ...(paid ? {} : { holdsLink: false }) })
    .where(and(eq(checkouts.merchantId, c.merchantId), eq(checkouts.id, c.id)));
  if (!paid) await countDecline(pl.merchant.id, ip, pl.link.id, now);
  else if (c.saveCardConsentAt) await saveCardFromCheckout(pl.merchant.id, c, p, now);
}

/**
 * The cardholder is back from the provider's page (or reloads the result): ask the
 * provider how it ended and apply it through the same guarded transition the
 * reconciliation job uses. A tab closed before this point changes nothing: the payment
 * stays pending and the job resolves it the same way.
 */
export async function resolveCheckout(linkId: string, checkoutId: string, ctx: { ip: string | null; now?: Date }): Promise<{ pl: PublicLink; checkout: Checkout; payment: Payment | null } | null> {
  const now = ctx.now ?? new Date();
  const found = await getCheckout(linkId, checkoutId);
  if (!found) return null;
  const { pl, checkout } = found;
  if (!checkout.paymentId) return { pl, checkout, payment: null };
  const scope = { merchantId: pl.merchant.id };
  let p = await getPayment(scope, checkout.paymentId);
  if (!p) return { pl, checkout, payment: null };
  if (p.status === "pending") {
    try {
      const answer = await processorFor(p.processorId).inquire({ account: scope.merchantId, reference: p.id });
      const outcome = outcomeOf(answer);
      if (outcome) p = (await applyAuthorizationOutcome(scope, p.id, outcome, now)) ?? p;
    } catch {
      // The provider did not answer: still pending; the page says so and the job will know.
    }
  }
  if (checkout.status === "paying") await settleCheckout(checkout, p, pl, ctx.ip, now);
  const [fresh] = await db().select().from(checkouts).where(and(eq(checkouts.merchantId, scope.merchantId), eq(checkouts.id, checkoutId)));
  return { pl, checkout: fresh ?? checkout, payment: p };
}

/** Where the merchant's site gets the cardholder back: its URL with the payment and a signature. */
export async function merchantRedirect(pl: PublicLink, p: Payment): Promise<string | null> {
  if (!pl.link.redirectUrl) return null;
  const secret = await checkoutSecret(pl.merchant.id);
  const u = new URL(pl.link.redirectUrl);
  u.searchParams.set("payment_id", p.id);
  u.searchParams.set("status", p.status);
  u.searchParams.set("amount", p.amount.toString());
  u.searchParams.set("link_id", pl.link.id);
  u.searchParams.set("signature", redirectSignature(secret, { paymentId: p.id, status: p.status, amount: p.amount, linkId: pl.link.id }));
  return u.toString();
}

// ---- receipts --------------------------------------------------------------------------

export interface PublicReceipt {
  paymentId: string;
  status: Payment["status"];
  amount: string;
  currency: string;
  maskedCard: string | null;
  cardBrand: string;
  issuerBank: string;
  merchantName: string;
  description: string | null;
  reference: string | null;
  traceNumber: string;
  declineCode: string | null;
  createdAt: string;
  timeZone: string;
  linkId: string | null;
}

export function receiptOf(p: Payment, merchant: Pick<PublicMerchant, "name" | "timeZone">): PublicReceipt {
  return {
    paymentId: p.id,
    status: p.status,
    amount: p.amount.toString(),
    currency: p.currency,
    maskedCard: maskedCardOf(p),
    cardBrand: p.cardBrand,
    issuerBank: p.issuerBank,
    merchantName: merchant.name,
    description: p.description,
    reference: p.providerReference,
    traceNumber: traceNumber(p.id),
    declineCode: p.declineCode,
    createdAt: (p.capturedAt ?? p.createdAt).toISOString(),
    timeZone: merchant.timeZone,
    linkId: p.paymentLinkId,
  };
}

/** A receipt link support sent: the payment, if the link's token is this merchant's. */
export async function receiptByToken(
  merchantId: string,
  paymentId: string,
  token: string,
): Promise<{ receipt: PublicReceipt; merchant: Pick<PublicMerchant, "currency" | "timeZone" | "defaultLocale"> } | null> {
  if (!/^mer_[A-Za-z0-9_]{1,60}$/.test(merchantId) || !/^pay_[a-z0-9]{1,40}$/.test(paymentId)) return null;
  const [m] = await db().select().from(merchants).where(eq(merchants.id, merchantId));
  if (!m) return null;
  const expected = Buffer.from(receiptToken(await checkoutSecret(merchantId), paymentId));
  const given = Buffer.from(String(token));
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
  const p = await getPayment({ merchantId }, paymentId);
  return p ? { receipt: receiptOf(p, m), merchant: { currency: m.currency, timeZone: m.timeZone, defaultLocale: m.defaultLocale } } : null;
}

