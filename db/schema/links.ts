import { sql } from "drizzle-orm";
import { boolean, check, integer, pgTable, text } from "drizzle-orm/pg-core";
import { checkoutStatus, paymentLinkStatus } from "./enums";
import { currency, money, tstz } from "./common";
import { merchantId, id, createdAt, currencyIso, amountPositive, merchantPk, merchantIndex, merchantUnique, createdByUserId, timestamps, amountAndCurrency, merchantRowTable, merchantTable, keysetIndex } from "./columns";
import { merchants } from "./merchants";

/**
 * Payment links: a public page (/pay/:id) where a cardholder pays the merchant, for a
 * fixed amount or one they enter between a minimum and a maximum.
 */
export const paymentLinks = merchantRowTable(
  "payment_links",
  {
    // The merchant's "Payment links" terminal (kind link): payments through links count there.
    terminalId: text("terminal_id").notNull(),
    currency: currency().notNull(),
    amount: money("amount"),
    minAmount: money("min_amount"),
    maxAmount: money("max_amount"),
    description: text("description").notNull(),
    // What the cardholder is asked for: any of name, phone, email, note.
    customerFields: text("customer_fields").array().notNull().default(sql`'{}'::text[]`),
    reusable: boolean("reusable").notNull().default(false),
    expiresAt: tstz("expires_at"),
    redirectUrl: text("redirect_url"),
    status: paymentLinkStatus("status").notNull().default("active"),
    createdByUserId: createdByUserId(),
    ...timestamps(),
    deactivatedAt: tstz("deactivated_at"),
  },
  (t) => [
    check(
      "payment_links_amount_shape",
      sql`(${t.amount} is not null and ${t.amount} > 0 and ${t.minAmount} is null and ${t.maxAmount} is null)
        or (${t.amount} is null and ${t.minAmount} > 0 and ${t.maxAmount} >= ${t.minAmount})`,
    ),
    currencyIso("payment_links", t),
    keysetIndex("payment_links_created", t),
  ],
  () => merchants.id,
);

/**
 * Global routing: a public link URL carries only the link's id, so its merchant is looked
 * up here first (a reference table under Citus, as api_keys is).
 */
export const paymentLinkRoutes = pgTable("payment_link_routes", {
  id: id().primaryKey(),
  merchantId: merchantId(),
});

/**
 * One cardholder's visit that went past the first step: the amount and details they
 * entered, and at most one payment. Its id is the unguessable part of the payment and
 * receipt URLs; it is also the payment's idempotency key, so a double submit, a retry
 * after a dropped connection or a reopened tab never makes a second payment.
 */
export const checkouts = merchantRowTable(
  "checkouts",
  {
    linkId: text("link_id").notNull(),
    ...amountAndCurrency(),
    customerName: text("customer_name"),
    customerPhone: text("customer_phone"),
    customerEmail: text("customer_email"),
    customerNote: text("customer_note"),
    status: checkoutStatus("status").notNull().default("open"),
    paymentId: text("payment_id"),
    // A single-use link is held by one checkout at a time (unique index below).
    holdsLink: boolean("holds_link").notNull().default(false),
    clientIp: text("client_ip"),
    locale: text("locale").notNull().default("fa"),
    // The cardholder ticked "save this card for future payments" (#19): the mandate they
    // accepted, in the page's language, and when. The card is saved once the payment succeeds.
    saveCardMandate: text("save_card_mandate"),
    saveCardLocale: text("save_card_locale"),
    saveCardConsentAt: tstz("save_card_consent_at"),
    ...timestamps(),
    expiresAt: tstz("expires_at").notNull(),
  },
  (t) => [
    amountPositive("checkouts", t),
    merchantUnique("checkouts_link_holder", t, t.linkId).where(sql`${t.holdsLink}`),
    merchantUnique("checkouts_payment", t, t.paymentId),
    merchantIndex("checkouts_link", t, t.linkId, t.createdAt),
    merchantIndex("checkouts_ip", t, t.clientIp, t.createdAt),
  ],
);

/** Per merchant: the secret that signs redirects back to the merchant's site and receipt links. */
export const checkoutSecrets = pgTable("checkout_secrets", {
  merchantId: merchantId().primaryKey().references(() => merchants.id),
  secret: text("secret").notNull(),
  createdAt: createdAt(),
});

/**
 * Card testing: an address that was declined too often on this merchant's links is
 * refused until blocked_until; the owner sees the list on the payment links page.
 */
export const checkoutBlocks = merchantTable(
  "checkout_blocks",
  {
    clientIp: text("client_ip").notNull(),
    declines: integer("declines").notNull(),
    blockedAt: tstz("blocked_at").notNull(),
    blockedUntil: tstz("blocked_until").notNull(),
  },
  (t) => [merchantPk(t, t.clientIp, t.blockedAt), merchantIndex("checkout_blocks_until", t, t.blockedUntil)],
);
