import { sql } from "drizzle-orm";
import { check, index, pgTable, smallint, text, uniqueIndex } from "drizzle-orm/pg-core";
import { bytea, currency, money, tstz } from "./common";

// The sandbox provider is "another service" that happens to share the database;
// the console never reads these tables directly, only through the provider API.

/** Vault: card numbers encrypted with AES-256-GCM; the CVC is never stored. */
export const sandboxCards = pgTable("sandbox_cards", {
  token: text("token").primaryKey(),
  panCiphertext: bytea("pan_ciphertext").notNull(),
  panIv: bytea("pan_iv").notNull(),
  panTag: bytea("pan_tag").notNull(),
  keyId: text("key_id").notNull(),
  bin: text("bin").notNull(),
  last4: text("last4").notNull(),
  brand: text("brand").notNull(),
  funding: text("funding").notNull(),
  expMonth: smallint("exp_month").notNull(),
  expYear: smallint("exp_year").notNull(),
  createdAt: tstz("created_at").notNull().defaultNow(),
});

export const sandboxAuthorizations = pgTable(
  "sandbox_authorizations",
  {
    id: text("id").primaryKey(),
    // The console's own payment reference: a retried authorize returns the same result.
    merchantReference: text("merchant_reference").notNull(),
    accountId: text("account_id").notNull(),
    cardToken: text("card_token").notNull(),
    amount: money("amount").notNull(),
    currency: currency().notNull(),
    // approved | declined | captured | voided | error
    status: text("status").notNull(),
    declineCode: text("decline_code"),
    capturedAmount: money("captured_amount").notNull().default(sql`0`),
    refundedAmount: money("refunded_amount").notNull().default(sql`0`),
    // How the card was presented: "ecommerce" (the cardholder on a hosted page, who must
    // authenticate), "moto" (keyed by the merchant's staff) or "api" (the merchant's server).
    channel: text("channel").notNull().default("api"),
    // Cardholder authentication (ecommerce): pin2 (Shetab dynamic second PIN), 3ds
    // (challenge), frictionless, or null when none applies.
    authMethod: text("auth_method"),
    // pending | succeeded | failed
    authState: text("auth_state"),
    // The one-time code the sandbox "sent by SMS" (the page shows it), its expiry and tries.
    authCode: text("auth_code"),
    authCodeExpiresAt: tstz("auth_code_expires_at"),
    authAttempts: smallint("auth_attempts").notNull().default(0),
    // An authentication not completed by then is declined (authentication_timeout).
    authExpiresAt: tstz("auth_expires_at"),
    returnUrl: text("return_url"),
    merchantLabel: text("merchant_label"),
    // For "timeout" cards: the answer the console will find later by inquiry.
    visibleAt: tstz("visible_at").notNull().defaultNow(),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("sandbox_authorizations_ref").on(t.accountId, t.merchantReference),
    check("sandbox_authorizations_amount_positive", sql`${t.amount} > 0`),
  ],
);

export const sandboxRefunds = pgTable(
  "sandbox_refunds",
  {
    id: text("id").primaryKey(),
    authorizationId: text("authorization_id").notNull(),
    merchantReference: text("merchant_reference").notNull(),
    accountId: text("account_id").notNull(),
    amount: money("amount").notNull(),
    status: text("status").notNull(),
    failureCode: text("failure_code"),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("sandbox_refunds_ref").on(t.accountId, t.merchantReference)],
);

/** The sandbox bank that receives payouts (deterministic failures for test accounts). */
export const sandboxBankTransfers = pgTable(
  "sandbox_bank_transfers",
  {
    id: text("id").primaryKey(),
    merchantReference: text("merchant_reference").notNull(),
    accountNumber: text("account_number").notNull(),
    amount: money("amount").notNull(),
    currency: currency().notNull(),
    status: text("status").notNull(),
    failureCode: text("failure_code"),
    traceNumber: text("trace_number"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    settledAt: tstz("settled_at"),
  },
  (t) => [
    uniqueIndex("sandbox_bank_transfers_ref").on(t.merchantReference),
    index("sandbox_bank_transfers_created").on(t.createdAt),
  ],
);

/** The sandbox SMS provider: messages it would have sent, recorded instead (tests and the demo read them). */
export const sandboxSmsMessages = pgTable(
  "sandbox_sms_messages",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    to: text("to").notNull(),
    body: text("body").notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
  },
  (t) => [index("sandbox_sms_messages_to").on(t.to, t.createdAt)],
);
