import { index, pgTable, smallint, text, uniqueIndex, type AnyPgColumn } from "drizzle-orm/pg-core";
import { bytea, money, tstz } from "./common";
import { id, createdAt, moneyZero, amountPositive, timestamps, amountAndCurrency } from "./columns";

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
  createdAt: createdAt(),
});

/**
 * Whose request it was: the console's merchant account and the console's own reference for
 * it, unique together (`referenceUnique`), so a retried request returns the first result.
 */
const consoleReference = () => ({
  merchantReference: text("merchant_reference").notNull(),
  accountId: text("account_id").notNull(),
});
const referenceUnique = (table: string, t: { accountId: AnyPgColumn; merchantReference: AnyPgColumn }) =>
  uniqueIndex(`${table}_ref`).on(t.accountId, t.merchantReference);

export const sandboxAuthorizations = pgTable(
  "sandbox_authorizations",
  {
    id: id().primaryKey(),
    ...consoleReference(),
    cardToken: text("card_token").notNull(),
    ...amountAndCurrency(),
    // approved | declined | captured | voided | error
    status: text("status").notNull(),
    declineCode: text("decline_code"),
    capturedAmount: moneyZero("captured_amount"),
    refundedAmount: moneyZero("refunded_amount"),
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
    ...timestamps(),
  },
  (t) => [
    referenceUnique("sandbox_authorizations", t),
    amountPositive("sandbox_authorizations", t),
  ],
);

export const sandboxRefunds = pgTable(
  "sandbox_refunds",
  {
    id: id().primaryKey(),
    authorizationId: text("authorization_id").notNull(),
    ...consoleReference(),
    amount: money("amount").notNull(),
    status: text("status").notNull(),
    failureCode: text("failure_code"),
    createdAt: createdAt(),
  },
  (t) => [referenceUnique("sandbox_refunds", t)],
);

/** The sandbox bank that receives payouts (deterministic failures for test accounts). */
export const sandboxBankTransfers = pgTable(
  "sandbox_bank_transfers",
  {
    id: id().primaryKey(),
    merchantReference: text("merchant_reference").notNull(),
    accountNumber: text("account_number").notNull(),
    ...amountAndCurrency(),
    status: text("status").notNull(),
    failureCode: text("failure_code"),
    traceNumber: text("trace_number"),
    createdAt: createdAt(),
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
    id: id().primaryKey(),
    accountId: text("account_id").notNull(),
    to: text("to").notNull(),
    body: text("body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("sandbox_sms_messages_to").on(t.to, t.createdAt)],
);
