/**
 * The sandbox provider itself: "another service" that happens to live in this
 * process and share the database (its own sandbox_* tables, which the console never
 * reads). It behaves like a real PSP: a vault of encrypted card numbers, its own view
 * of authorizations, idempotency by the caller's reference, late answers found by
 * inquiry, and a settlement report. The HTTP face is app/routes/sandbox.*.ts; the
 * console's adapter is ../sandbox-processor.server.ts.
 */
import crypto from "node:crypto";
import { and, eq, gte, lt, sql } from "drizzle-orm";
import { payments, refunds, sandboxAuthorizations, sandboxCards, sandboxRefunds } from "~db/schema";
import { db, rows } from "~db/client.server";
import { commitWithoutFlushWait, preparedOnce, preparedSql } from "~db/prepared.server";
import { detectCard, impossiblePan, isExpired, luhnValid, normalizePan } from "~/lib/card";
import { randomText } from "~/lib/random.server";
import { DECLINE_MESSAGES, REFUND_FAILURE_MESSAGES, authenticationOf, findTestCard, type DeclineCode, type TestCard, type TestCardBehaviour } from "../test-cards";
import type {
  AuthorizeRequest,
  CardDetails,
  CardToken,
  InquiryResult,
  OperationResult,
  RefundInquiryResult,
  RefundRequest,
  RefundResult,
  SettlementLine,
  TokenizeResult,
} from "../types";
import { open, seal } from "./vault.server";
import { env } from "~/lib/env.server";

export const sandboxConfig = {
  /** How long the "slow" card takes to answer. */
  slowMs: env.SANDBOX_SLOW_MS,
  /** How long after a timed-out request its answer becomes visible to inquiry. */
  lateAnswerMs: env.SANDBOX_LATE_ANSWER_MS,
  /** How long a cardholder has to finish authentication (dynamic PIN, 3-D Secure). */
  authTimeoutMs: env.SANDBOX_AUTH_TIMEOUT_MS,
  /** How long a dynamic PIN the sandbox "texts" stays valid. */
  codeTtlMs: env.SANDBOX_CODE_TTL_MS,
};

/** Tests shorten the sandbox's delays. */
export function configureSandbox(c: Partial<typeof sandboxConfig>): void {
  Object.assign(sandboxConfig, c);
}

function sandboxId(prefix: string): string {
  return `${prefix}_${randomText(12, "base64url").replace(/[-_]/g, "x")}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request the sandbox received but will not answer before the caller's deadline. */
export const NO_RESPONSE = Symbol("no_response");

/** Foreign cards' issuer as the sandbox reports it (it knows no real issuing banks). */
const NETWORK_LABELS: Record<string, string> = {
  visa: "Visa",
  mastercard: "Mastercard",
  amex: "American Express",
  discover: "Discover",
  unionpay: "UnionPay",
};

// ---- vault ------------------------------------------------------------------------

// The vault's insert and the authorization's, built once per process (db/prepared.server.ts):
// every API payment with card details runs both.
const insertCard = preparedOnce((d) =>
  d
    .insert(sandboxCards)
    .values({
      token: sql.placeholder("token"),
      panCiphertext: sql.placeholder("panCiphertext"),
      panIv: sql.placeholder("panIv"),
      panTag: sql.placeholder("panTag"),
      keyId: sql.placeholder("keyId"),
      bin: sql.placeholder("bin"),
      last4: sql.placeholder("last4"),
      brand: sql.placeholder("brand"),
      funding: sql.placeholder("funding"),
      expMonth: sql.placeholder("expMonth"),
      expYear: sql.placeholder("expYear"),
    })
    .prepare("sandbox_card_insert"),
);

/**
 * The vault's insert for a card tokenized by a payment being taken now (tokenize's
 * `forPayment`): its commit does not wait for the WAL flush. The payment's insert follows and
 * commits synchronously before the card is authorized or anything is answered, and that flush
 * covers all WAL before it, this row's included; a vault row lost in a crash before that
 * belongs to a payment that never was. A token handed to a client (the sandbox's own
 * tokenize endpoint) keeps the ordinary, flushed commit.
 */
const insertCardNoFlushWait = preparedSql(
  () => sql`insert into sandbox_cards (token, pan_ciphertext, pan_iv, pan_tag, key_id, bin, last4, brand, funding, exp_month, exp_year)
    select ${sql.placeholder("token")}, ${sql.placeholder("panCiphertext")}::bytea, ${sql.placeholder("panIv")}::bytea, ${sql.placeholder("panTag")}::bytea,
      ${sql.placeholder("keyId")}, ${sql.placeholder("bin")}, ${sql.placeholder("last4")}, ${sql.placeholder("brand")}, ${sql.placeholder("funding")},
      ${sql.placeholder("expMonth")}::smallint, ${sql.placeholder("expYear")}::smallint
    where ${commitWithoutFlushWait}`,
);

const insertAuthorization = preparedOnce((d) => {
  const v = <K extends string>(k: K) => sql.placeholder(k);
  return d
    .insert(sandboxAuthorizations)
    .values({
      id: v("id"),
      merchantReference: v("merchantReference"),
      accountId: v("accountId"),
      cardToken: v("cardToken"),
      amount: v("amount"),
      currency: v("currency"),
      status: v("status"),
      declineCode: v("declineCode"),
      channel: v("channel"),
      authMethod: v("authMethod"),
      authState: v("authState"),
      capturedAmount: v("capturedAmount"),
      visibleAt: v("visibleAt"),
      createdAt: v("createdAt"),
      updatedAt: v("updatedAt"),
    })
    .onConflictDoNothing()
    .returning()
    .prepare("sandbox_authorization_insert");
});

export async function sandboxTokenize(card: CardDetails, now = new Date(), opts?: { forPayment?: boolean }): Promise<TokenizeResult> {
  const pan = normalizePan(String(card.number ?? ""));
  if (/^[0-9]{12,19}$/.test(pan) && impossiblePan(pan)) {
    return { ok: false, code: "card_number_invalid", param: "card[number]", message: "No card issuer uses this number: check the digits." };
  }
  if (!/^[0-9]{12,19}$/.test(pan) || !luhnValid(pan)) {
    return { ok: false, code: "invalid_number", param: "card[number]", message: "The card number is not valid: check the digits." };
  }
  const info = detectCard(pan);
  const month = Number(card.expMonth);
  const year = Number(card.expYear);
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    return { ok: false, code: "invalid_expiry", param: "card[exp_month]", message: "The expiry month must be 1 to 12." };
  }
  if (!Number.isInteger(year) || year < 2000 || year > 2100) {
    return { ok: false, code: "invalid_expiry", param: "card[exp_year]", message: "The expiry year must be a four-digit year." };
  }
  if (isExpired({ month, year }, now)) {
    return { ok: false, code: "expired_card", param: "card[exp_year]", message: "The card's expiry date has passed." };
  }
  if (year > now.getUTCFullYear() + 25) {
    return { ok: false, code: "invalid_expiry", param: "card[exp_year]", message: "The expiry year is too far in the future." };
  }
  const cvc = String(card.cvc ?? "");
  if (!/^[0-9]+$/.test(cvc) || !info.cvcLengths.includes(cvc.length)) {
    const lengths = info.cvcLengths.join(" or ");
    return { ok: false, code: "invalid_cvc", param: "card[cvc]", message: `The security code (CVC) must be ${lengths} digits.` };
  }
  const test = findTestCard(pan);
  const brand = test?.brand ?? info.brand;
  const funding = test?.funding ?? (brand === "shetab" ? "debit" : "credit");
  const issuerBank = test?.bank ?? info.bankCode ?? NETWORK_LABELS[brand] ?? "";
  const token = sandboxId("tok");
  const sealed = seal(pan, token);
  const row = {
    token,
    panCiphertext: sealed.ciphertext,
    panIv: sealed.iv,
    panTag: sealed.tag,
    keyId: sealed.keyId,
    bin: pan.slice(0, 6),
    last4: pan.slice(-4),
    brand,
    funding,
    expMonth: month,
    expYear: year,
  };
  if (opts?.forPayment) await insertCardNoFlushWait(db(), row);
  else await insertCard(db(), row);
  rememberCard(row, test);
  return {
    ok: true,
    card: { token, bin: row.bin, last4: row.last4, brand, funding, issuerBank, expMonth: month, expYear: year },
  };
}

/**
 * Cards just tokenized, by token: an API payment with card details tokenizes and then
 * authorizes at once (a provider's "charge with card" is one call), and a vault row never
 * changes, so the authorization reads the card from here instead of the vault table, with
 * the test card its number is (the authorization needs only that: it does not decrypt the
 * number it has just encrypted). Per database (tests open many), bounded, and only for a minute.
 */
type CardRow = typeof sandboxCards.$inferSelect;
const recentCards = new WeakMap<object, Map<string, { row: CardRow; test: TestCard | undefined; at: number }>>();
const RECENT_CARDS_MAX = 2000;
function rememberCard(row: Omit<CardRow, "createdAt"> & Partial<Pick<CardRow, "createdAt">>, test: TestCard | undefined): void {
  const d = db();
  let m = recentCards.get(d);
  if (!m) recentCards.set(d, (m = new Map()));
  if (m.size >= RECENT_CARDS_MAX) m.delete(m.keys().next().value!);
  m.set(row.token, { row: { createdAt: new Date(), ...row } as CardRow, test, at: Date.now() });
}
function recentCard(token: string): { row: CardRow; test: TestCard | undefined } | undefined {
  const m = recentCards.get(db());
  const hit = m?.get(token);
  if (!hit) return undefined;
  m!.delete(token); // an authorization follows its tokenization once
  return Date.now() - hit.at < 60_000 ? hit : undefined;
}

export async function sandboxDescribeToken(token: string): Promise<CardToken | null> {
  if (typeof token !== "string" || !/^tok_[A-Za-z0-9]{1,64}$/.test(token)) return null;
  const c = await cardByToken(token);
  if (!c) return null;
  const info = detectCard(c.bin);
  const test = findTestCard(revealPan(c));
  return {
    token: c.token,
    bin: c.bin,
    last4: c.last4,
    brand: c.brand as CardToken["brand"],
    funding: c.funding as CardToken["funding"],
    issuerBank: test?.bank ?? info.bankCode ?? NETWORK_LABELS[c.brand] ?? "",
    expMonth: c.expMonth,
    expYear: c.expYear,
  };
}

/** The vaulted card of a token (one prepared statement). */
async function cardByToken(token: string): Promise<CardRow | undefined> {
  const [c] = await db().select().from(sandboxCards).where(eq(sandboxCards.token, sql.placeholder("token"))).prepare("sandbox_card").execute({ token });
  return c;
}

function revealPan(c: typeof sandboxCards.$inferSelect): string {
  return open({ ciphertext: c.panCiphertext, iv: c.panIv, tag: c.panTag, keyId: c.keyId }, c.token);
}

// ---- authorizations ---------------------------------------------------------------

type AuthRow = typeof sandboxAuthorizations.$inferSelect;

export type SandboxAuthorizeAnswer =
  | { outcome: "approved"; providerReference: string; captured: boolean }
  | { outcome: "action_required"; providerReference: string; redirectUrl: string }
  | { outcome: "declined"; providerReference: string; declineCode: string; message: string }
  | { outcome: "error"; providerReference: string | null; code: string; message: string }
  | typeof NO_RESPONSE;

/** The provider's own authentication page (app/routes/sandbox.v1.authentication.$authorizationId.tsx). */
export function authenticationUrl(id: string): string {
  return `/sandbox/v1/authentication/${id}`;
}

function answerOf(a: AuthRow): Exclude<SandboxAuthorizeAnswer, typeof NO_RESPONSE> {
  switch (a.status) {
    case "authenticating":
      return { outcome: "action_required", providerReference: a.id, redirectUrl: authenticationUrl(a.id) };
    case "declined":
      return {
        outcome: "declined",
        providerReference: a.id,
        declineCode: a.declineCode ?? "do_not_honor",
        message: DECLINE_MESSAGES[(a.declineCode ?? "do_not_honor") as DeclineCode] ?? "The card was declined.",
      };
    case "error":
      return { outcome: "error", providerReference: a.id, code: a.declineCode ?? "processing_error", message: DECLINE_MESSAGES.processing_error };
    default:
      // approved / captured / voided: the authorization itself was approved.
      return { outcome: "approved", providerReference: a.id, captured: a.status === "captured" || a.capturedAmount > 0n };
  }
}

async function findAuthorization(account: string, reference: string, now = new Date()): Promise<AuthRow | undefined> {
  const [a] = await db()
    .select()
    .from(sandboxAuthorizations)
    .where(and(eq(sandboxAuthorizations.accountId, account), eq(sandboxAuthorizations.merchantReference, reference)));
  return a ? expireAuthentication(a, now) : a;
}

/**
 * The sandbox's answer to an authorization of a card, by its test behaviour: declined (an
 * expired card, a declining card, a card that declines renewals on a recurring charge), a
 * processing error, else approved (and captured when asked).
 */
function decide(
  card: Pick<CardRow, "expMonth" | "expYear">,
  behaviour: TestCardBehaviour,
  channel: string,
  capture: boolean,
  now: Date,
): { status: string; declineCode: string | null } {
  if (isExpired({ month: card.expMonth, year: card.expYear }, now)) return { status: "declined", declineCode: "expired_card" };
  if (behaviour.kind === "decline") return { status: "declined", declineCode: behaviour.code };
  if (behaviour.kind === "renewals_decline" && channel === "recurring") return { status: "declined", declineCode: behaviour.code };
  if (behaviour.kind === "processing_error") return { status: "error", declineCode: "processing_error" };
  return { status: capture ? "captured" : "approved", declineCode: null };
}

/** A request with a reference already used: the same answer for a retry, never a second charge. */
function answerRetry(existing: AuthRow, req: AuthorizeRequest, now: Date): SandboxAuthorizeAnswer {
  if (existing.amount !== req.amount || existing.currency !== req.currency || existing.cardToken !== req.token) {
    return { outcome: "error", providerReference: null, code: "reference_reused", message: "This reference was already used for another request." };
  }
  // A retry of a request whose answer was lost: same answer, never a second charge.
  if (existing.visibleAt.getTime() > now.getTime()) return NO_RESPONSE;
  return answerOf(existing);
}

export async function sandboxAuthorize(req: AuthorizeRequest, now = new Date()): Promise<SandboxAuthorizeAnswer> {
  const remembered = typeof req.token === "string" ? recentCard(req.token) : undefined;
  const card = remembered?.row ?? (await cardByToken(req.token));
  if (!card) {
    const existing = await findAuthorization(req.account, req.reference);
    if (existing) return answerRetry(existing, req, now);
    return { outcome: "error", providerReference: null, code: "token_not_found", message: "Unknown card token." };
  }

  const test = remembered ? remembered.test : findTestCard(revealPan(card));
  const behaviour = test?.behaviour ?? { kind: "approve" as const };
  const channel = req.channel ?? "api";
  if (channel === "ecommerce" && req.authentication && authenticationOf(card.brand, test) !== "frictionless") {
    // The cardholder authenticates on the provider's page; the card's own behaviour
    // (approve, decline...) applies once they pass (finishAuthentication).
    await db()
      .insert(sandboxAuthorizations)
      .values({
        id: sandboxId("auth"),
        merchantReference: req.reference,
        accountId: req.account,
        cardToken: req.token,
        amount: req.amount,
        currency: req.currency,
        status: "authenticating",
        channel,
        authMethod: authenticationOf(card.brand, test),
        authState: "pending",
        authExpiresAt: new Date(now.getTime() + sandboxConfig.authTimeoutMs),
        returnUrl: req.authentication.returnUrl,
        merchantLabel: req.authentication.merchantName.slice(0, 200),
        declineCode: req.capture ? null : "__authorize_only",
        visibleAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing();
    const stored = await findAuthorization(req.account, req.reference, now);
    if (!stored) throw new Error("sandbox authorization vanished");
    return answerRetry(stored, req, now);
  }
  if (behaviour.kind === "timeout_lost") return NO_RESPONSE;

  const { status, declineCode } = decide(card, behaviour, channel, req.capture, now);
  if (behaviour.kind === "slow") await sleep(sandboxConfig.slowMs);

  const late = behaviour.kind === "timeout_approved";
  const visibleAt = late ? new Date(now.getTime() + sandboxConfig.lateAnswerMs) : now;
  // One statement decides: the insert wins, or the reference exists (a retry, or a
  // concurrent one) and that row's answer is given.
  const [stored] = await insertAuthorization(db(), {
    id: sandboxId("auth"),
    merchantReference: req.reference,
    accountId: req.account,
    cardToken: req.token,
    amount: req.amount,
    currency: req.currency,
    status,
    declineCode,
    channel,
    authMethod: channel === "ecommerce" ? "frictionless" : null,
    authState: channel === "ecommerce" ? "succeeded" : null,
    capturedAmount: status === "captured" ? req.amount : 0n,
    visibleAt,
    createdAt: now,
    updatedAt: now,
  });
  if (!stored) {
    // Concurrent retries with one reference: whoever inserted first decides the answer.
    const existing = await findAuthorization(req.account, req.reference);
    if (!existing) throw new Error("sandbox authorization vanished");
    return answerRetry(existing, req, now);
  }
  if (late || stored.visibleAt.getTime() > now.getTime()) return NO_RESPONSE;
  return answerOf(stored);
}

async function authorizationRow(account: string, id: string): Promise<AuthRow | undefined> {
  const [a] = await db()
    .select()
    .from(sandboxAuthorizations)
    .where(and(eq(sandboxAuthorizations.accountId, account), eq(sandboxAuthorizations.id, id)))
    .prepare("sandbox_authorization_by_id")
    .execute();
  return a;
}

async function authorizationById(account: string, id: string): Promise<AuthRow | undefined> {
  return (await authorizationRow(account, id)) ?? adoptSeededAuthorization(account, id);
}

/**
 * The demo history (app/demo) is written straight into the console's tables as if the
 * sandbox had processed it, so the sandbox has no record of those authorizations. The
 * first time it is asked to capture, void or refund one, it takes the seeded payment as
 * its record: what was captured and what was already refunded. This is the one place
 * the sandbox reads a console table; a real provider would simply know its history.
 */
async function adoptSeededAuthorization(account: string, id: string): Promise<AuthRow | undefined> {
  if (!/^sbx_auth_[A-Za-z0-9]{1,64}$/.test(id)) return undefined;
  const [p] = await db()
    .select()
    .from(payments)
    .where(and(eq(payments.merchantId, account), eq(payments.providerReference, id)));
  if (!p || !["captured", "authorized", "voided"].includes(p.status)) return undefined;
  const [r] = await db()
    .select({ total: sql<string>`coalesce(sum(${refunds.amount}), 0)::text` })
    .from(refunds)
    .where(and(eq(refunds.merchantId, account), eq(refunds.paymentId, p.id), eq(refunds.status, "succeeded")));
  await db()
    .insert(sandboxAuthorizations)
    .values({
      id,
      merchantReference: p.id,
      accountId: account,
      cardToken: p.cardToken ?? "",
      amount: p.amount,
      currency: p.currency,
      status: p.status === "captured" ? "captured" : p.status === "authorized" ? "approved" : "voided",
      capturedAmount: p.status === "captured" ? p.amount : 0n,
      refundedAmount: BigInt(r?.total ?? "0"),
      visibleAt: p.createdAt,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    })
    .onConflictDoNothing();
  return authorizationRow(account, id);
}

export async function sandboxCapture(req: { account: string; authorization: string; amount: bigint }): Promise<OperationResult> {
  if (!(await authorizationById(req.account, req.authorization))) {
    return { ok: false, code: "authorization_not_found", message: "No such authorization." };
  }
  const updated = await db()
    .update(sandboxAuthorizations)
    .set({ status: "captured", capturedAmount: req.amount, updatedAt: new Date() })
    .where(
      and(
        eq(sandboxAuthorizations.accountId, req.account),
        eq(sandboxAuthorizations.id, req.authorization),
        eq(sandboxAuthorizations.status, "approved"),
        sql`${req.amount} <= ${sandboxAuthorizations.amount}`,
      ),
    )
    .returning({ id: sandboxAuthorizations.id });
  if (updated.length > 0) return { ok: true, providerReference: req.authorization };
  const a = await authorizationById(req.account, req.authorization);
  if (!a) return { ok: false, code: "authorization_not_found", message: "No such authorization." };
  if (a.status === "captured") return { ok: true, providerReference: a.id };
  if (req.amount > a.amount) return { ok: false, code: "amount_too_large", message: "Cannot capture more than was authorized." };
  return { ok: false, code: "authorization_not_capturable", message: `The authorization is ${a.status}.` };
}

export async function sandboxVoid(req: { account: string; authorization: string }): Promise<OperationResult> {
  if (!(await authorizationById(req.account, req.authorization))) {
    return { ok: false, code: "authorization_not_found", message: "No such authorization." };
  }
  const updated = await db()
    .update(sandboxAuthorizations)
    .set({ status: "voided", updatedAt: new Date() })
    .where(
      and(
        eq(sandboxAuthorizations.accountId, req.account),
        eq(sandboxAuthorizations.id, req.authorization),
        eq(sandboxAuthorizations.status, "approved"),
      ),
    )
    .returning({ id: sandboxAuthorizations.id });
  if (updated.length > 0) return { ok: true, providerReference: req.authorization };
  const a = await authorizationById(req.account, req.authorization);
  if (!a) return { ok: false, code: "authorization_not_found", message: "No such authorization." };
  if (a.status === "voided") return { ok: true, providerReference: a.id };
  return { ok: false, code: "authorization_not_voidable", message: `The authorization is ${a.status}.` };
}

// ---- cardholder authentication --------------------------------------------------------

const MAX_AUTH_TRIES = 3;

/** The card's behaviour once authentication passed: the same rules as a keyed authorization. */
async function outcomeAfterAuthentication(a: AuthRow, now: Date): Promise<{ status: string; declineCode: string | null }> {
  const card = await cardByToken(a.cardToken);
  if (!card) return { status: "error", declineCode: "processing_error" };
  const behaviour = findTestCard(revealPan(card))?.behaviour ?? { kind: "approve" as const };
  const captureNow = a.declineCode !== "__authorize_only";
  return decide(card, behaviour, a.channel, captureNow, now);
}

async function finish(a: AuthRow, result: { status: string; declineCode: string | null; authState: string }, now: Date): Promise<AuthRow> {
  const [row] = await db()
    .update(sandboxAuthorizations)
    .set({
      status: result.status,
      declineCode: result.declineCode,
      authState: result.authState,
      authCode: null,
      capturedAmount: result.status === "captured" ? a.amount : 0n,
      updatedAt: now,
    })
    .where(and(eq(sandboxAuthorizations.id, a.id), eq(sandboxAuthorizations.status, "authenticating")))
    .returning();
  if (row) return row;
  const [current] = await db().select().from(sandboxAuthorizations).where(eq(sandboxAuthorizations.id, a.id));
  return current ?? a;
}

/** An authentication left unfinished past its deadline is declined (authentication_timeout). */
async function expireAuthentication(a: AuthRow, now: Date): Promise<AuthRow> {
  if (a.status !== "authenticating" || !a.authExpiresAt || a.authExpiresAt.getTime() > now.getTime()) return a;
  return finish(a, { status: "declined", declineCode: "authentication_timeout", authState: "failed" }, now);
}

export interface AuthenticationView {
  id: string;
  method: "pin2" | "3ds";
  state: "pending" | "succeeded" | "failed";
  status: string;
  declineCode: string | null;
  amount: bigint;
  currency: string;
  merchantName: string;
  bin: string;
  last4: string;
  brand: string;
  /** The code the sandbox "sent" (shown on the page in place of a real SMS), if one is live. */
  sentCode: string | null;
  codeExpiresAt: Date | null;
  /** pin2_timeout: the bank never answers the code request. */
  bankSilent: boolean;
  triesLeft: number;
  expiresAt: Date | null;
  returnUrl: string | null;
}

async function authRowById(id: string, now: Date): Promise<AuthRow | undefined> {
  if (!/^auth_[A-Za-z0-9]{1,64}$/.test(id)) return undefined;
  const [a] = await db().select().from(sandboxAuthorizations).where(eq(sandboxAuthorizations.id, id));
  return a ? expireAuthentication(a, now) : undefined;
}

async function behaviourOf(a: AuthRow) {
  const card = await cardByToken(a.cardToken);
  return { card, test: card ? findTestCard(revealPan(card)) : undefined };
}

export async function sandboxAuthenticationView(id: string, now = new Date()): Promise<AuthenticationView | null> {
  const a = await authRowById(id, now);
  if (!a || !a.authMethod || a.authMethod === "frictionless") return null;
  const { card, test } = await behaviourOf(a);
  return {
    id: a.id,
    method: a.authMethod === "pin2" ? "pin2" : "3ds",
    state: (a.authState ?? "pending") as AuthenticationView["state"],
    status: a.status,
    declineCode: a.declineCode === "__authorize_only" ? null : a.declineCode,
    amount: a.amount,
    currency: a.currency,
    merchantName: a.merchantLabel ?? "",
    bin: card?.bin ?? "",
    last4: card?.last4 ?? "",
    brand: card?.brand ?? "unknown",
    sentCode: a.authCode,
    codeExpiresAt: a.authCodeExpiresAt,
    bankSilent: test?.authentication === "pin2_timeout",
    triesLeft: Math.max(0, MAX_AUTH_TRIES - a.authAttempts),
    expiresAt: a.authExpiresAt,
    returnUrl: a.returnUrl,
  };
}

function sixDigits(): string {
  return String(crypto.randomInt(0, 1_000_000)).padStart(6, "0");
}

export type AuthenticationStep =
  | { ok: true; view: AuthenticationView }
  | { ok: false; code: "not_found" | "finished" | "no_code" | "wrong_code" | "code_expired" | "bank_silent"; view: AuthenticationView | null };

/**
 * "Request code": the sandbox makes the dynamic PIN (or the 3-D Secure one-time code)
 * the bank would text the cardholder, and shows it on its page instead of sending it.
 */
export async function sandboxRequestCode(id: string, now = new Date()): Promise<AuthenticationStep> {
  const a = await authRowById(id, now);
  if (!a) return { ok: false, code: "not_found", view: null };
  if (a.status !== "authenticating") return { ok: false, code: "finished", view: await sandboxAuthenticationView(id, now) };
  const { test } = await behaviourOf(a);
  if (test?.authentication === "pin2_timeout") return { ok: false, code: "bank_silent", view: await sandboxAuthenticationView(id, now) };
  const code = a.authMethod === "3ds" ? String(crypto.randomInt(1000, 10_000)) : sixDigits();
  // pin2_expired: the bank's code arrives already past its validity.
  const expires = test?.authentication === "pin2_expired" ? new Date(now.getTime() - 1000) : new Date(now.getTime() + sandboxConfig.codeTtlMs);
  await db()
    .update(sandboxAuthorizations)
    .set({ authCode: code, authCodeExpiresAt: expires, updatedAt: now })
    .where(and(eq(sandboxAuthorizations.id, a.id), eq(sandboxAuthorizations.status, "authenticating")));
  return { ok: true, view: (await sandboxAuthenticationView(id, now))! };
}

/** The cardholder's code. Right: the card's own outcome applies; three failures: declined with the reason. */
export async function sandboxSubmitCode(id: string, code: string, now = new Date()): Promise<AuthenticationStep> {
  const a = await authRowById(id, now);
  if (!a) return { ok: false, code: "not_found", view: null };
  if (a.status !== "authenticating") return { ok: false, code: "finished", view: await sandboxAuthenticationView(id, now) };
  const { test } = await behaviourOf(a);
  if (!a.authCode) return { ok: false, code: "no_code", view: await sandboxAuthenticationView(id, now) };
  const given = code.replace(/\s+/g, "");
  const expired = !a.authCodeExpiresAt || a.authCodeExpiresAt.getTime() <= now.getTime();
  const alwaysWrong = test?.authentication === "pin2_wrong" || test?.authentication === "challenge_fails";
  const right = !expired && !alwaysWrong && given.length === a.authCode.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(a.authCode));
  if (right) {
    const outcome = await outcomeAfterAuthentication(a, now);
    await finish(a, { ...outcome, authState: "succeeded" }, now);
    return { ok: true, view: (await sandboxAuthenticationView(id, now))! };
  }
  const attempts = a.authAttempts + 1;
  const reason = expired ? "authentication_code_expired" : "authentication_failed";
  if (attempts >= MAX_AUTH_TRIES) {
    await db().update(sandboxAuthorizations).set({ authAttempts: attempts }).where(eq(sandboxAuthorizations.id, a.id));
    await finish({ ...a, authAttempts: attempts }, { status: "declined", declineCode: reason, authState: "failed" }, now);
  } else {
    await db()
      .update(sandboxAuthorizations)
      .set({ authAttempts: attempts, updatedAt: now })
      .where(and(eq(sandboxAuthorizations.id, a.id), eq(sandboxAuthorizations.status, "authenticating")));
  }
  return { ok: false, code: expired ? "code_expired" : "wrong_code", view: await sandboxAuthenticationView(id, now) };
}

/** The cardholder gave up on the provider's page. */
export async function sandboxCancelAuthentication(id: string, now = new Date()): Promise<AuthenticationStep> {
  const a = await authRowById(id, now);
  if (!a) return { ok: false, code: "not_found", view: null };
  if (a.status === "authenticating") await finish(a, { status: "declined", declineCode: "authentication_canceled", authState: "failed" }, now);
  return { ok: true, view: (await sandboxAuthenticationView(id, now))! };
}

// ---- refunds ----------------------------------------------------------------------

type RefundRow = typeof sandboxRefunds.$inferSelect;

function refundAnswer(r: RefundRow): RefundResult {
  if (r.status === "succeeded") return { outcome: "succeeded", providerReference: r.id };
  return {
    outcome: "failed",
    providerReference: r.id,
    code: r.failureCode ?? "refund_failed",
    message: REFUND_FAILURE_MESSAGES[r.failureCode ?? ""] ?? "The provider could not return the money to the card.",
  };
}

async function findRefund(account: string, reference: string): Promise<RefundRow | undefined> {
  const [r] = await db()
    .select()
    .from(sandboxRefunds)
    .where(and(eq(sandboxRefunds.accountId, account), eq(sandboxRefunds.merchantReference, reference)))
    .prepare("sandbox_refund_by_reference")
    .execute();
  return r;
}

/** A refund's authorization and its card in one statement, built once per process. */
const authorizationWithCard = preparedOnce((d) =>
  d
    .select({ auth: sandboxAuthorizations, card: sandboxCards })
    .from(sandboxAuthorizations)
    .leftJoin(sandboxCards, eq(sandboxCards.token, sandboxAuthorizations.cardToken))
    .where(and(eq(sandboxAuthorizations.accountId, sql.placeholder("account")), eq(sandboxAuthorizations.id, sql.placeholder("id"))))
    .prepare("sandbox_authorization_with_card"),
);

export async function sandboxRefund(req: RefundRequest): Promise<RefundResult> {
  const [found] = await authorizationWithCard(db(), { account: req.account, id: req.authorization });
  // Not found: perhaps a seeded (demo) authorization the sandbox adopts on first use.
  const auth = found ? found.auth : await authorizationById(req.account, req.authorization);
  let status = "succeeded";
  let failureCode: string | null = null;
  if (!auth || auth.status !== "captured") {
    status = "failed";
    failureCode = "authorization_not_captured";
  } else {
    const card = found ? (found.card ?? undefined) : await cardByToken(auth.cardToken);
    const test = card ? findTestCard(revealPan(card)) : undefined;
    if (test?.behaviour.kind === "refund_fails") {
      status = "failed";
      failureCode = "expired_or_canceled_card";
    }
  }
  // One statement: the provider's own guard (never return more than it captured) and the
  // refund's record. A retry of a reference already used breaks its unique key, and the
  // whole statement (its hold included) is undone: the first answer is given again.
  try {
    const [stored] = await rows<Record<string, unknown>>(
      db(),
      sql`with hold as (
            update sandbox_authorizations set refunded_amount = refunded_amount + ${req.amount.toString()}::bigint, updated_at = now()
            where ${status} = 'succeeded' and id = ${req.authorization}
              and refunded_amount + ${req.amount.toString()}::bigint <= captured_amount
            returning 1
          )
          insert into sandbox_refunds (id, authorization_id, merchant_reference, account_id, amount, status, failure_code)
          select ${sandboxId("rf")}, ${req.authorization}, ${req.reference}, ${req.account}, ${req.amount.toString()}::bigint,
            case when ${status} = 'succeeded' and not exists (select 1 from hold) then 'failed' else ${status} end,
            case when ${status} = 'succeeded' and not exists (select 1 from hold) then 'exceeds_captured' else ${failureCode}::text end
          returning id, status, failure_code`,
      { prepare: true },
    );
    if (!stored) throw new Error("sandbox refund insert returned nothing");
    return refundAnswer({ id: String(stored.id), status: String(stored.status), failureCode: (stored.failure_code as string | null) ?? null } as RefundRow);
  } catch (e) {
    const err = e as { code?: string; cause?: { code?: string } };
    if ((err.code ?? err.cause?.code) !== "23505") throw e;
  }
  const existing = await findRefund(req.account, req.reference);
  if (!existing) throw new Error("sandbox refund vanished");
  return refundAnswer(existing);
}


// ---- inquiry and settlement -------------------------------------------------------

export async function sandboxInquire(req: { account: string; reference: string }, now = new Date()): Promise<InquiryResult> {
  const a = await findAuthorization(req.account, req.reference, now);
  if (!a) return { status: "not_found" };
  if (a.visibleAt.getTime() > now.getTime()) return { status: "processing" };
  switch (a.status) {
    case "authenticating":
      // The cardholder is still on the authentication page (it times out by itself).
      return { status: "processing" };
    case "approved":
      return { status: "approved", providerReference: a.id };
    case "captured":
      return { status: "captured", providerReference: a.id };
    case "voided":
      return { status: "voided", providerReference: a.id };
    case "declined": {
      const answer = answerOf(a);
      return answer.outcome === "declined"
        ? { status: "declined", providerReference: a.id, declineCode: answer.declineCode, message: answer.message }
        : { status: "error", providerReference: a.id, code: "processing_error", message: DECLINE_MESSAGES.processing_error };
    }
    default:
      return { status: "error", providerReference: a.id, code: a.declineCode ?? "processing_error", message: DECLINE_MESSAGES.processing_error };
  }
}

export async function sandboxInquireRefund(req: { account: string; reference: string }): Promise<RefundInquiryResult> {
  const r = await findRefund(req.account, req.reference);
  if (!r) return { status: "not_found" };
  const answer = refundAnswer(r);
  return answer.outcome === "succeeded"
    ? { status: "succeeded", providerReference: r.id }
    : { status: "failed", providerReference: r.id, code: answer.code, message: answer.message };
}

/** What the provider settled for an account in [from, to): captures and successful refunds. */
export async function sandboxSettlementReport(req: { account: string; from: Date; to: Date }): Promise<SettlementLine[]> {
  const captures = await db()
    .select()
    .from(sandboxAuthorizations)
    .where(
      and(
        eq(sandboxAuthorizations.accountId, req.account),
        sql`${sandboxAuthorizations.capturedAmount} > 0`,
        gte(sandboxAuthorizations.updatedAt, req.from),
        lt(sandboxAuthorizations.updatedAt, req.to),
      ),
    );
  const refunds = await db()
    .select({ r: sandboxRefunds, currency: sandboxAuthorizations.currency })
    .from(sandboxRefunds)
    .innerJoin(sandboxAuthorizations, eq(sandboxAuthorizations.id, sandboxRefunds.authorizationId))
    .where(
      and(
        eq(sandboxRefunds.accountId, req.account),
        eq(sandboxRefunds.status, "succeeded"),
        gte(sandboxRefunds.createdAt, req.from),
        lt(sandboxRefunds.createdAt, req.to),
      ),
    );
  const lines: SettlementLine[] = [
    ...captures.map((a) => ({
      providerReference: a.id,
      reference: a.merchantReference,
      kind: "capture" as const,
      amount: a.capturedAmount,
      currency: a.currency,
      at: a.updatedAt,
    })),
    ...refunds.map(({ r, currency }) => ({
      providerReference: r.id,
      reference: r.merchantReference,
      kind: "refund" as const,
      amount: -r.amount,
      currency,
      at: r.createdAt,
    })),
  ];
  return lines.sort((x, y) => x.at.getTime() - y.at.getTime());
}
