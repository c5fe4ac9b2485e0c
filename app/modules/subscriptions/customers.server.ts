/**
 * Customers and their saved cards. A customer is created in the console, by the API or by
 * a cardholder on the hosted page; a card is saved only with the cardholder's consent (the
 * mandate text, its time and language are stored with the provider's token, never the number).
 */
import { and, desc, eq, ilike, or, sql } from "drizzle-orm";
import { customers, paymentMethods, payments, refunds, subscriptions } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { newId } from "~/lib/ids";
import { failure, type Client, type Result, type Scope } from "~/lib/vocabulary";
import { audit } from "~/modules/audit/audit.server";
import type { AppContext } from "~/modules/access/context";
import { recordEvent } from "~/modules/events/events.server";
import { createOnce, pgCode } from "~/modules/payments/failure";
import { processorFor } from "~/modules/processors/sandbox-processor.server";
import { ProcessorTimeoutError } from "~/modules/processors/types";
import { pageBounds } from "./page";
import { serializeCustomer, serializePaymentMethod, type Customer, type PaymentMethod } from "./serialize";

export interface CustomerInput {
  name?: unknown;
  email?: unknown;
  phone?: unknown;
  reference?: unknown;
  notes?: unknown;
}

const LIMITS = { name: 200, email: 254, phone: 32, reference: 200, notes: 2000 } as const;

type Clean = { name: string; email: string | null; phone: string | null; reference: string | null; notes: string | null };

function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = String(v).trim();
  return s === "" ? null : s;
}

/** The rules of a customer's fields, shared by the console form and the API. */
export function validateCustomer(input: CustomerInput): Result<{ value: Clean }> {
  const name = text(input.name);
  if (!name) return failure(400, "name_required", "Give the customer's name.", "name");
  const value: Clean = { name, email: text(input.email)?.toLowerCase() ?? null, phone: text(input.phone), reference: text(input.reference), notes: text(input.notes) };
  for (const key of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    const v = value[key];
    if (v && v.length > LIMITS[key]) return failure(400, `${key}_too_long`, `The ${key} must be at most ${LIMITS[key]} characters.`, key);
  }
  if (value.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.email)) {
    return failure(400, "email_invalid", "The e-mail address is not valid: write it as name@example.com.", "email");
  }
  if (value.phone) {
    const digits = value.phone.replace(/[\s()-]/g, "");
    if (!/^\+?[0-9]{7,15}$/.test(digits)) return failure(400, "phone_invalid", "The phone number must be 7 to 15 digits, optionally starting with +.", "phone");
    value.phone = digits;
  }
  return { ok: true, value };
}

export async function createCustomer(
  scope: Scope,
  input: CustomerInput,
  opts: { source?: "console" | "api" | "hosted_page"; idempotencyKey?: string | null; now?: Date; dbx?: DbOrTx } = {},
): Promise<Result<{ customer: Customer; replayed: boolean }>> {
  const v = validateCustomer(input);
  if (!v.ok) return v;
  const now = opts.now ?? new Date();
  const write = async (tx: DbOrTx) => {
    const [row] = await tx
      .insert(customers)
      .values({ merchantId: scope.merchantId, id: newId("cus", now), ...v.value, source: opts.source ?? "console", idempotencyKey: opts.idempotencyKey ?? null, createdAt: now, updatedAt: now })
      .returning();
    await recordEvent(tx, scope.merchantId, "customer.created", serializeCustomer(row!), now);
    return row!;
  };
  const { row: customer, replayed } = await createOnce(
    opts.idempotencyKey,
    () => (opts.dbx ? write(opts.dbx) : db().transaction(write)),
    async (key) => (await db().select().from(customers).where(and(eq(customers.merchantId, scope.merchantId), eq(customers.idempotencyKey, key))))[0],
  );
  return { ok: true, customer, replayed };
}

export async function updateCustomer(scope: Scope, id: string, input: CustomerInput, now = new Date()): Promise<Result<{ customer: Customer }>> {
  const existing = await getCustomer(scope, id);
  if (!existing) return failure(404, "customer_not_found", "No such customer.", "id");
  const merged: CustomerInput = {
    name: input.name ?? existing.name,
    email: input.email === undefined ? existing.email : input.email,
    phone: input.phone === undefined ? existing.phone : input.phone,
    reference: input.reference === undefined ? existing.reference : input.reference,
    notes: input.notes === undefined ? existing.notes : input.notes,
  };
  const v = validateCustomer(merged);
  if (!v.ok) return v;
  const customer = await db().transaction(async (tx) => {
    const [row] = await tx
      .update(customers)
      .set({ ...v.value, updatedAt: now })
      .where(and(eq(customers.merchantId, scope.merchantId), eq(customers.id, id)))
      .returning();
    await recordEvent(tx, scope.merchantId, "customer.updated", serializeCustomer(row!), now);
    return row!;
  });
  return { ok: true, customer };
}

export async function getCustomer(scope: Scope, id: string, dbx: DbOrTx = db()): Promise<Customer | undefined> {
  if (typeof id !== "string" || id.length > 100) return undefined;
  const [c] = await dbx.select().from(customers).where(and(eq(customers.merchantId, scope.merchantId), eq(customers.id, id)));
  return c;
}

/** Newest first; `q` matches the start of the name, e-mail, phone or reference, any case, or the id. */
export async function listCustomers(scope: Scope, opts: { q?: string | null; limit?: number; offset?: number } = {}): Promise<Customer[]> {
  const q = opts.q?.trim().slice(0, 100) ?? "";
  const like = `${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const where = q
    ? and(
        eq(customers.merchantId, scope.merchantId),
        or(
          sql`lower(${customers.name}) like ${like}`,
          sql`lower(${customers.email}) like ${like}`,
          ilike(customers.phone, like),
          ilike(customers.reference, like),
          eq(customers.id, q),
          // A word inside the name ("Ahmadi" finds "Sara Ahmadi").
          sql`lower(${customers.name}) like ${`% ${like}`}`,
        ),
      )
    : eq(customers.merchantId, scope.merchantId);
  const page = pageBounds(opts, 50, 200);
  return db()
    .select()
    .from(customers)
    .where(where)
    .orderBy(desc(customers.createdAt), desc(customers.id))
    .limit(page.limit)
    .offset(page.offset);
}

/** The customer page: their payments, refunds, subscriptions and saved cards. */
export async function customerDetail(scope: Scope, id: string) {
  const customer = await getCustomer(scope, id);
  if (!customer) return null;
  const m = scope.merchantId;
  const [paymentRows, refundRows, subscriptionRows, methods] = await Promise.all([
    db().select().from(payments).where(and(eq(payments.merchantId, m), eq(payments.customerId, id))).orderBy(desc(payments.createdAt)).limit(100),
    db()
      .select({ refund: refunds })
      .from(refunds)
      .innerJoin(payments, and(eq(payments.merchantId, refunds.merchantId), eq(payments.id, refunds.paymentId)))
      .where(and(eq(refunds.merchantId, m), eq(payments.customerId, id)))
      .orderBy(desc(refunds.createdAt))
      .limit(100),
    db().select().from(subscriptions).where(and(eq(subscriptions.merchantId, m), eq(subscriptions.customerId, id))).orderBy(desc(subscriptions.createdAt)),
    db().select().from(paymentMethods).where(and(eq(paymentMethods.merchantId, m), eq(paymentMethods.customerId, id))).orderBy(desc(paymentMethods.createdAt)),
  ]);
  return { customer, payments: paymentRows, refunds: refundRows.map((r) => r.refund), subscriptions: subscriptionRows, paymentMethods: methods };
}

/* ------------------------------ saved payment methods ------------------------------ */

/** The consent a cardholder gives, in the page's language. */
export function mandateText(merchantName: string, locale: string): string {
  return locale === "fa"
    ? `این کارت را برای پرداخت‌های آینده به ${merchantName} ذخیره کن. ${merchantName} می‌تواند طبق اشتراک من مبلغ دوره‌ها را از این کارت برداشت کند تا زمانی که آن را حذف کنم.`
    : `Save this card for future payments to ${merchantName}. ${merchantName} may charge it for my subscription's periods until I remove it.`;
}

export interface MandateInput {
  /** The exact text the cardholder accepted. */
  text: string;
  locale: string;
  acceptedAt: Date;
  ip?: string | null;
}

/** Saves a card (the provider's token) for a customer, with the cardholder's mandate. */
export async function attachPaymentMethod(
  scope: Scope,
  input: { customerId: string; token: string; mandate: MandateInput; processorId?: string | null },
  opts: { now?: Date; dbx?: DbOrTx } = {},
): Promise<Result<{ paymentMethod: PaymentMethod }>> {
  const now = opts.now ?? new Date();
  const customer = await getCustomer(scope, input.customerId, opts.dbx);
  if (!customer) return failure(404, "customer_not_found", "No such customer.", "customer");
  if (!input.mandate?.text?.trim()) return failure(400, "mandate_required", "A card is saved only with the cardholder's consent: give the mandate text they accepted.", "mandate");
  if (!["en", "fa"].includes(input.mandate.locale)) return failure(400, "mandate_locale_invalid", "The mandate's language must be en or fa.", "mandate.locale");
  let card;
  try {
    card = await processorFor(input.processorId).describeToken(String(input.token ?? ""));
  } catch (e) {
    if (e instanceof ProcessorTimeoutError) return failure(503, "provider_unavailable", "The provider did not answer in time; try again.", null, "api_error");
    throw e;
  }
  if (!card) return failure(400, "token_not_found", "Unknown card token: tokenize the card on the hosted page first.", "token");
  const write = async (tx: DbOrTx) => {
    const [row] = await tx
      .insert(paymentMethods)
      .values({
        merchantId: scope.merchantId,
        id: newId("pm", now),
        customerId: customer.id,
        processorId: processorFor(input.processorId).id,
        cardToken: card.token,
        cardBrand: card.brand,
        cardLast4: card.last4,
        cardExpMonth: card.expMonth,
        cardExpYear: card.expYear,
        mandateText: input.mandate.text.trim().slice(0, 2000),
        mandateLocale: input.mandate.locale,
        mandateAcceptedAt: input.mandate.acceptedAt,
        mandateIp: input.mandate.ip ?? null,
        createdAt: now,
      })
      .returning();
    await recordEvent(tx, scope.merchantId, "payment_method.attached", serializePaymentMethod(row!), now);
    return row!;
  };
  const paymentMethod = opts.dbx ? await write(opts.dbx) : await db().transaction(write);
  return { ok: true, paymentMethod };
}

/**
 * Removes a saved card (by staff, audited, or by the customer through their link). Its
 * subscriptions keep running without a card: their next renewal fails and dunning asks
 * the customer for a new one.
 */
export async function removePaymentMethod(
  scope: Scope,
  id: string,
  by: { staff: AppContext; client?: Client } | { customer: true; client?: Client },
  now = new Date(),
): Promise<Result<{ paymentMethod: PaymentMethod }>> {
  return db().transaction(async (tx) => {
    const [pm] = await tx
      .select()
      .from(paymentMethods)
      .where(and(eq(paymentMethods.merchantId, scope.merchantId), eq(paymentMethods.id, id)))
      .for("update");
    if (!pm) return failure(404, "payment_method_not_found", "No such saved card.", "id");
    if (pm.status === "removed") return { ok: true as const, paymentMethod: pm };
    const removedBy = "staff" in by ? "staff" : "customer";
    const [row] = await tx
      .update(paymentMethods)
      .set({ status: "removed", removedAt: now, removedBy })
      .where(and(eq(paymentMethods.merchantId, scope.merchantId), eq(paymentMethods.id, id)))
      .returning();
    await tx
      .update(subscriptions)
      .set({ paymentMethodId: null, updatedAt: now })
      .where(and(eq(subscriptions.merchantId, scope.merchantId), eq(subscriptions.paymentMethodId, id)));
    await audit(tx, {
      merchantId: scope.merchantId,
      actor: "staff" in by ? by.staff : undefined,
      action: "payment_method.remove",
      outcome: "success",
      targetType: "payment_method",
      targetId: id,
      details: { customerId: pm.customerId, removedBy, last4: pm.cardLast4 },
      client: by.client,
    });
    await recordEvent(tx, scope.merchantId, "payment_method.detached", serializePaymentMethod(row!), now);
    return { ok: true as const, paymentMethod: row! };
  });
}

/**
 * The hosted page's "save this card" after the payment succeeded: the customer (created once
 * per checkout, from the details the cardholder gave), the card saved under the mandate they
 * accepted, and the payment marked as theirs. Never fails the payment: a problem is logged.
 */
export async function saveCardFromCheckout(
  merchantId: string,
  c: { id: string; customerName: string | null; customerEmail: string | null; customerPhone: string | null; saveCardMandate: string | null; saveCardLocale: string | null; saveCardConsentAt: Date | null; clientIp: string | null },
  p: { id: string; cardToken: string | null; processorId: string; status: string },
  now = new Date(),
): Promise<{ customerId: string; paymentMethodId: string } | null> {
  if (!c.saveCardConsentAt || !c.saveCardMandate || !p.cardToken || (p.status !== "captured" && p.status !== "authorized")) return null;
  const scope = { merchantId };
  try {
    const name = c.customerName ?? c.customerEmail ?? c.customerPhone ?? (c.saveCardLocale === "fa" ? "دارنده کارت" : "Cardholder");
    const made = await createCustomer(scope, { name, email: c.customerEmail, phone: c.customerPhone }, { source: "hosted_page", idempotencyKey: `checkout:${c.id}`, now });
    if (!made.ok) throw new Error(made.error.message);
    const customerId = made.customer.id;
    const [existing] = await db()
      .select()
      .from(paymentMethods)
      .where(and(eq(paymentMethods.merchantId, merchantId), eq(paymentMethods.customerId, customerId), eq(paymentMethods.cardToken, p.cardToken), eq(paymentMethods.status, "active")));
    let paymentMethodId = existing?.id;
    if (!paymentMethodId) {
      try {
        const pm = await attachPaymentMethod(
          scope,
          { customerId, token: p.cardToken, processorId: p.processorId, mandate: { text: c.saveCardMandate, locale: c.saveCardLocale ?? "fa", acceptedAt: c.saveCardConsentAt, ip: c.clientIp } },
          { now },
        );
        if (!pm.ok) throw new Error(pm.error.message);
        paymentMethodId = pm.paymentMethod.id;
      } catch (e) {
        // A racing settle of the same checkout saved it first (one active copy per customer and card).
        if (pgCode(e) !== "23505") throw e;
        const [again] = await db()
          .select()
          .from(paymentMethods)
          .where(and(eq(paymentMethods.merchantId, merchantId), eq(paymentMethods.customerId, customerId), eq(paymentMethods.cardToken, p.cardToken), eq(paymentMethods.status, "active")));
        paymentMethodId = again!.id;
      }
    }
    await db()
      .update(payments)
      .set({ customerId })
      .where(and(eq(payments.merchantId, merchantId), eq(payments.id, p.id), sql`${payments.customerId} is null`));
    return { customerId, paymentMethodId: paymentMethodId! };
  } catch (e) {
    console.error(`save card of checkout ${c.id}: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

/**
 * Saves the card a customer just paid with (the payment's token and card details) under
 * the mandate they accepted, in the caller's transaction; the same card already saved and
 * active for them is returned instead (one active copy per customer and card).
 */
export async function saveCardOfPayment(
  tx: DbOrTx,
  merchantId: string,
  customerId: string,
  p: { cardToken: string | null; processorId: string; cardBrand: string; cardLast4: string | null; cardExpMonth: number | null; cardExpYear: number | null },
  mandate: MandateInput,
  now: Date,
): Promise<{ paymentMethod: PaymentMethod; created: boolean }> {
  if (!p.cardToken || !p.cardLast4 || !p.cardExpMonth || !p.cardExpYear) throw new Error("the payment has no card token to save");
  const [existing] = await tx
    .select()
    .from(paymentMethods)
    .where(and(eq(paymentMethods.merchantId, merchantId), eq(paymentMethods.customerId, customerId), eq(paymentMethods.cardToken, p.cardToken), eq(paymentMethods.status, "active")));
  if (existing) return { paymentMethod: existing, created: false };
  const [row] = await tx
    .insert(paymentMethods)
    .values({
      merchantId,
      id: newId("pm", now),
      customerId,
      processorId: p.processorId,
      cardToken: p.cardToken,
      cardBrand: p.cardBrand,
      cardLast4: p.cardLast4,
      cardExpMonth: p.cardExpMonth,
      cardExpYear: p.cardExpYear,
      mandateText: mandate.text.trim().slice(0, 2000),
      mandateLocale: mandate.locale,
      mandateAcceptedAt: mandate.acceptedAt,
      mandateIp: mandate.ip ?? null,
      createdAt: now,
    })
    .returning();
  await recordEvent(tx, merchantId, "payment_method.attached", serializePaymentMethod(row!), now);
  return { paymentMethod: row!, created: true };
}
