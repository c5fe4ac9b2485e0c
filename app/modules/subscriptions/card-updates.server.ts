/**
 * The hosted update-card page behind the dunning link: the customer pays the open invoice
 * with another card (authenticated on the provider's page, as on the hosted payment page)
 * and, once it is paid, that card replaces the subscription's saved card under the mandate
 * they accepted.
 *
 * Exactly once: the customer's payment is an attempt of the invoice like the renewal job's,
 * claimed the same way under the subscription's row lock (attempt_count + 1, next_attempt_at
 * null, a payment with the key invoice:<id>:<n>) in the transaction that records it. While
 * it is in flight the job finds nothing to charge; while the job's attempt is in flight the
 * customer is told to wait. A double submit carries the same form id (card_updates.id) and
 * finds the first one's attempt. The customer's attempt does not use up a dunning retry
 * (invoices.customer_attempts).
 */
import { and, asc, eq, inArray, isNotNull } from "drizzle-orm";
import { cardUpdates, invoices, merchants, plans, subscriptions } from "~db/schema";
import { db } from "~db/client.server";
import { newId } from "~/lib/ids";
import { recordEvent } from "~/modules/events/events.server";
import { outcomeOf } from "~/modules/payments/inquiry-outcome";
import { applyAuthorizationOutcome, authorizeWithProvider, getPayment, type Payment } from "~/modules/payments/payments.server";
import { processorFor } from "~/modules/processors/sandbox-processor.server";
import { ProcessorTimeoutError } from "~/modules/processors/types";
import { failure, type Failure, type Result, type Scope } from "~/lib/vocabulary";
import { mandateText, saveCardOfPayment } from "./customers.server";
import { insertAttemptPayment, settleInvoice } from "./renewals.server";
import { serializeSubscription, type Invoice } from "./serialize";
import { lockSubscription } from "./subscriptions.server";

export type CardUpdate = typeof cardUpdates.$inferSelect;

/** A refusal of the card form, on the consent tick or the form as a whole (its `param`). */
function refuse(status: number, code: string, field: "consent" | "form", message: string): { ok: false; error: Failure } {
  return failure(status, code, message, field);
}

/** What the page shows: the subscription, its plan, the merchant and the invoice to pay (or why there is none). */
export async function cardUpdateView(scope: Scope, subscriptionId: string) {
  const [s] = await db().select().from(subscriptions).where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.id, subscriptionId)));
  if (!s) return null;
  const [merchant] = await db().select().from(merchants).where(eq(merchants.id, scope.merchantId));
  const [plan] = await db().select().from(plans).where(and(eq(plans.merchantId, scope.merchantId), eq(plans.id, s.planId)));
  const open = await db()
    .select()
    .from(invoices)
    .where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.subscriptionId, s.id), eq(invoices.status, "open")))
    .orderBy(asc(invoices.periodStart));
  const due = open.find((i) => i.nextAttemptAt !== null) ?? null;
  const inFlight = open.some((i) => i.nextAttemptAt === null);
  return { subscription: s, merchant: merchant!, plan: plan!, due, inFlight };
}

export interface NewCardInput {
  /** The form's id (cu_...): a second submit of the same form is the same attempt. */
  updateId: string;
  token: string;
  consent: boolean;
  locale: string;
  ip: string | null;
  /** Where the provider sends the cardholder back after authenticating. */
  returnUrl: string;
}

export type NewCardOutcome = Result<{ kind: "authenticate"; redirectUrl: string; updateId: string } | { kind: "done"; updateId: string }>;

/** Pays the open invoice with the new card (one attempt per form), then saves the card once paid. */
export async function payWithNewCard(scope: Scope, subscriptionId: string, input: NewCardInput, now = new Date()): Promise<NewCardOutcome> {
  if (!/^cu_[a-z0-9]{10,40}$/.test(input.updateId)) return refuse(400, "form_invalid", "form", "This page is out of date; open the link again.");
  const [existing] = await db().select().from(cardUpdates).where(and(eq(cardUpdates.merchantId, scope.merchantId), eq(cardUpdates.id, input.updateId)));
  if (existing) {
    if (existing.subscriptionId !== subscriptionId) return refuse(400, "form_invalid", "form", "This page is out of date; open the link again.");
    return replay(scope, existing, input, now);
  }
  if (!input.consent) return refuse(400, "consent_required", "consent", "Tick the box to let the merchant charge this card for your subscription.");
  if (typeof input.token !== "string" || !/^tok_[A-Za-z0-9]{1,64}$/.test(input.token)) return refuse(400, "token_invalid", "form", "The card could not be read; enter it again.");
  const [merchant] = await db().select().from(merchants).where(eq(merchants.id, scope.merchantId));
  if (!merchant) return refuse(404, "subscription_not_found", "form", "No such subscription.");
  let card;
  try {
    card = await processorFor(merchant.processorId).describeToken(input.token);
  } catch (e) {
    if (e instanceof ProcessorTimeoutError) return refuse(503, "provider_unavailable", "form", "The provider did not answer in time. Nothing was charged; try again.");
    throw e;
  }
  if (!card) return refuse(400, "token_not_found", "form", "The card could not be read; enter it again.");
  const locale = input.locale === "en" ? "en" : "fa";

  const claimed = await db().transaction(async (tx) => {
    const s = await lockSubscription(tx, scope, subscriptionId);
    if (!s) return refuse(404, "subscription_not_found", "form", "No such subscription.");
    const [again] = await tx.select().from(cardUpdates).where(and(eq(cardUpdates.merchantId, scope.merchantId), eq(cardUpdates.id, input.updateId)));
    if (again) return { replay: again };
    if (s.status === "canceled" || s.status === "paused") return refuse(409, `subscription_${s.status}`, "form", `This subscription is ${s.status}: nothing can be paid here.`);
    const open = await tx
      .select()
      .from(invoices)
      .where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.subscriptionId, s.id), eq(invoices.status, "open")))
      .orderBy(asc(invoices.periodStart))
      .for("update");
    const due = open.find((i) => i.nextAttemptAt !== null);
    if (!due) {
      return open.length
        ? refuse(409, "payment_in_progress", "form", "A payment of this invoice is being processed right now; look again in a minute.")
        : refuse(409, "nothing_due", "form", "Nothing is due on this subscription now.");
    }
    const [inv] = await tx
      .update(invoices)
      .set({ attemptCount: due.attemptCount + 1, customerAttempts: due.customerAttempts + 1, nextAttemptAt: null, updatedAt: now })
      .where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.id, due.id), eq(invoices.status, "open"), isNotNull(invoices.nextAttemptAt)))
      .returning();
    if (!inv) return refuse(409, "payment_in_progress", "form", "A payment of this invoice is being processed right now; look again in a minute.");
    const [plan] = await tx.select().from(plans).where(and(eq(plans.merchantId, scope.merchantId), eq(plans.id, s.planId)));
    const payment = await insertAttemptPayment(tx, scope, inv, plan!.name, {
      token: card.token,
      brand: card.brand,
      funding: card.funding,
      bin: card.bin,
      last4: card.last4,
      expMonth: card.expMonth,
      expYear: card.expYear,
      issuerBank: card.issuerBank,
      processorId: processorFor(merchant.processorId).id,
    }, now);
    const [update] = await tx
      .insert(cardUpdates)
      .values({
        merchantId: scope.merchantId,
        id: input.updateId,
        subscriptionId: s.id,
        invoiceId: inv.id,
        paymentId: payment.id,
        mandateText: mandateText(merchant.name, locale),
        mandateLocale: locale,
        mandateAcceptedAt: now,
        clientIp: input.ip,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordEvent(tx, scope.merchantId, "subscription.card_update_started", { ...serializeSubscription(s), invoice_id: inv.id, payment_id: payment.id }, now);
    return { update: update!, payment };
  });
  if ("ok" in claimed) return claimed;
  if ("replay" in claimed) return replay(scope, claimed.replay!, input, now);
  return authorize(scope, claimed.update, claimed.payment, merchant.name, locale, input.returnUrl, now);
}

async function authorize(scope: Scope, update: CardUpdate, payment: Payment, merchantName: string, locale: string, returnUrl: string, now: Date): Promise<NewCardOutcome> {
  const outcome = await authorizeWithProvider(scope, payment, { capture: true, channel: "ecommerce", authentication: { returnUrl, merchantName, locale } });
  if (outcome?.kind === "action_required") return { ok: true, kind: "authenticate", redirectUrl: outcome.redirectUrl, updateId: update.id };
  if (outcome) await applyAuthorizationOutcome(scope, payment.id, outcome, now);
  await finishCardUpdate(scope, update.id, now);
  return { ok: true, kind: "done", updateId: update.id };
}

/** The same form again: its attempt, back to the provider's page if it still waits for authentication. */
async function replay(scope: Scope, update: CardUpdate, input: NewCardInput, now: Date): Promise<NewCardOutcome> {
  const p = update.paymentId ? await getPayment(scope, update.paymentId) : undefined;
  if (p?.status === "pending") {
    const [merchant] = await db().select().from(merchants).where(eq(merchants.id, scope.merchantId));
    return authorize(scope, update, p, merchant!.name, update.mandateLocale, input.returnUrl, now);
  }
  await finishCardUpdate(scope, update.id, now);
  return { ok: true, kind: "done", updateId: update.id };
}

/**
 * Once the attempt's payment is final: paid, the card is saved under the mandate and
 * becomes the subscription's (once); then the invoice is settled as the job settles it
 * (paid, the subscription active again; or declined, the waiting retry kept).
 */
export async function finishCardUpdate(scope: Scope, updateId: string, now = new Date()): Promise<CardUpdate | null> {
  const [u] = await db().select().from(cardUpdates).where(and(eq(cardUpdates.merchantId, scope.merchantId), eq(cardUpdates.id, updateId)));
  if (!u?.paymentId) return u ?? null;
  const p = await getPayment(scope, u.paymentId);
  if (!p || p.status === "pending" || p.status === "authorized") return u;
  if (u.status === "paying") {
    await db().transaction(async (tx) => {
      const s = await lockSubscription(tx, scope, u.subscriptionId);
      const [fresh] = await tx.select().from(cardUpdates).where(and(eq(cardUpdates.merchantId, scope.merchantId), eq(cardUpdates.id, updateId)));
      if (!s || fresh?.status !== "paying") return;
      if (p.status !== "captured") {
        await tx.update(cardUpdates).set({ status: "declined", updatedAt: now }).where(and(eq(cardUpdates.merchantId, scope.merchantId), eq(cardUpdates.id, updateId)));
        return;
      }
      const { paymentMethod } = await saveCardOfPayment(tx, scope.merchantId, s.customerId, p, { text: u.mandateText, locale: u.mandateLocale, acceptedAt: u.mandateAcceptedAt, ip: u.clientIp }, now);
      const [row] = await tx
        .update(subscriptions)
        .set({ paymentMethodId: paymentMethod.id, updatedAt: now })
        .where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.id, s.id)))
        .returning();
      await tx
        .update(cardUpdates)
        .set({ status: "completed", paymentMethodId: paymentMethod.id, updatedAt: now })
        .where(and(eq(cardUpdates.merchantId, scope.merchantId), eq(cardUpdates.id, updateId)));
      await recordEvent(tx, scope.merchantId, "subscription.updated", serializeSubscription(row!), now);
    });
  }
  if (u.invoiceId) await settleInvoice(scope, u.invoiceId, now);
  const [after] = await db().select().from(cardUpdates).where(and(eq(cardUpdates.merchantId, scope.merchantId), eq(cardUpdates.id, updateId)));
  return after ?? null;
}

/** The result page (also the provider's return address): the outcome asked of the provider if still unknown, then settled. */
export async function resolveCardUpdate(scope: Scope, subscriptionId: string, updateId: string, now = new Date()): Promise<{ update: CardUpdate; payment: Payment | null; invoice: Invoice | null } | null> {
  if (!/^cu_[a-z0-9]{10,40}$/.test(updateId)) return null;
  const [u] = await db()
    .select()
    .from(cardUpdates)
    .where(and(eq(cardUpdates.merchantId, scope.merchantId), eq(cardUpdates.id, updateId), eq(cardUpdates.subscriptionId, subscriptionId)));
  if (!u) return null;
  let p = u.paymentId ? ((await getPayment(scope, u.paymentId)) ?? null) : null;
  if (p?.status === "pending") {
    try {
      const outcome = outcomeOf(await processorFor(p.processorId).inquire({ account: scope.merchantId, reference: p.id }));
      if (outcome) p = (await applyAuthorizationOutcome(scope, p.id, outcome, now)) ?? p;
    } catch {
      // Unknown still: the page says so; the jobs settle it.
    }
  }
  const update = (await finishCardUpdate(scope, updateId, now)) ?? u;
  if (p) p = (await getPayment(scope, p.id)) ?? p;
  const [invoice] = u.invoiceId ? await db().select().from(invoices).where(and(eq(invoices.merchantId, scope.merchantId), eq(invoices.id, u.invoiceId))) : [];
  return { update, payment: p, invoice: invoice ?? null };
}

/** A fresh form id for the page (one per rendering). */
export function newCardUpdateId(now = new Date()): string {
  return newId("cu", now);
}

/** Card updates whose payment was left pending (the tab closed after authenticating): settled by the renewal job's run. */
export async function finishPendingCardUpdates(merchantIds: string[] | undefined, now: Date, limit = 200): Promise<number> {
  const list = await db()
    .select({ merchantId: cardUpdates.merchantId, id: cardUpdates.id })
    .from(cardUpdates)
    .where(and(eq(cardUpdates.status, "paying"), merchantIds?.length ? inArray(cardUpdates.merchantId, merchantIds) : undefined))
    .limit(limit);
  let n = 0;
  for (const u of list) if ((await finishCardUpdate({ merchantId: u.merchantId }, u.id, now))?.status !== "paying") n++;
  return n;
}
