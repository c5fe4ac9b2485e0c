/**
 * The virtual terminal's domain: which terminals may charge, the card behind a token,
 * charging as a signed-in member under the form's idempotency key, the receipt and the
 * member's recent payments. The page's form (its fields, its key, its refusals in the
 * reader's words) is the web edge's: app/web/payments/terminal-form.server.ts.
 *
 * The card number and CVV2 never come here: the page sends them from the browser to the
 * provider's tokenization endpoint (or, without JavaScript, to the provider's own form,
 * which sends the browser back with a token), and the form posts only the token.
 */
import { and, asc, desc, eq, isNotNull, sql } from "drizzle-orm";
import { payments, terminals } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { preparedOnce } from "~db/prepared.server";
import { maskedCardOf, maskPan } from "~/lib/card";
import { failure, type Failure, type MemberActor, type Result, type Scope } from "~/lib/vocabulary";
import { auditStatement } from "~/modules/audit/audit.server";
import { fingerprint, withIdempotency } from "~/modules/idempotency/idempotency.server";
import { TEST_CARDS, type TestCard } from "~/modules/processors/test-cards";
import { processorFor } from "~/modules/processors/sandbox-processor.server";
import { ProcessorTimeoutError, type CardToken } from "~/modules/processors/types";
import { createPayment, getPayment, loadMerchant, PAYMENT_LINE_COLUMNS, type Merchant, type Payment } from "./payments.server";
import { settlePayment } from "./reconcile-pending.server";

/** The card as the provider describes its token: what the confirm step and the receipt show. */
export interface TokenCard {
  token: string;
  brand: string;
  funding: string;
  maskedCard: string;
  issuerBank: string;
  expiry: string;
}

export interface ChargeableTerminal {
  id: string;
  name: string;
  kind: "virtual" | "api";
}

/** A merchant's active terminals by name, built once per process (every charge and every rendering of the form reads them). */
const activeTerminals = preparedOnce((d) =>
  d
    .select({ id: terminals.id, name: terminals.name, kind: terminals.kind })
    .from(terminals)
    .where(and(eq(terminals.merchantId, sql.placeholder("merchantId")), eq(terminals.status, "active")))
    .orderBy(asc(terminals.name))
    .prepare("terminals_active"),
);

/** Active terminals, the console's own (virtual) ones first. */
export async function chargeableTerminals(scope: Scope): Promise<ChargeableTerminal[]> {
  const list = await activeTerminals(db(), { merchantId: scope.merchantId });
  // A payment link's terminal takes payments only through its hosted page.
  const keyed = list.filter((x): x is ChargeableTerminal => x.kind !== "link");
  return [...keyed.filter((x) => x.kind === "virtual"), ...keyed.filter((x) => x.kind !== "virtual")];
}

/** The card behind a token, from the merchant's provider (null: no such token). */
export async function describeTerminalToken(scope: Scope, token: string): Promise<TokenCard | null> {
  const m = await loadMerchant(scope);
  const c = await providerCard(m?.processorId, token);
  return c && tokenCard(c);
}

/** The provider's description of a token (null: not a token, unknown, or the provider did not answer). */
export async function providerCard(processorId: string | null | undefined, token: string): Promise<CardToken | null> {
  if (!/^tok_[A-Za-z0-9]{1,64}$/.test(token)) return null;
  try {
    return await processorFor(processorId).describeToken(token);
  } catch {
    return null;
  }
}

export function tokenCard(c: CardToken): TokenCard {
  return {
    token: c.token,
    brand: c.brand,
    funding: c.funding,
    maskedCard: maskPan(c.bin, c.last4),
    issuerBank: c.issuerBank,
    expiry: `${String(c.expMonth).padStart(2, "0")}/${String(c.expYear % 100).padStart(2, "0")}`,
  };
}

/** A charge the terminal form's checks have passed: the terminal, the amount in the merchant's currency, the card by its token. */
export interface MemberChargeInput {
  terminal: ChargeableTerminal;
  amount: bigint;
  currency: string;
  description: string;
  customerReference: string;
  card: TokenCard;
  /** The form's idempotency key (minted with the form): the same key gets the first attempt's answer. */
  key: string;
}

/** What the checks before the charge have read already, so the charge does not read it again. */
export interface MemberChargeDeps {
  merchant: Merchant;
  providerCard: CardToken;
}

/**
 * Charges a card as a signed-in member (the virtual terminal), once per form key: a retry
 * with the same key gets the first attempt's payment, a key used for another charge or still
 * in flight is refused (idempotency_key_reused, idempotency_key_in_use). Every attempt is
 * audited as payment.charge; the usual outcome, a capture, commits with its audit event and
 * the key's stored answer in the capture's own round trip.
 */
export async function chargeAsMember(scope: Scope, actor: MemberActor, input: MemberChargeInput, deps: MemberChargeDeps): Promise<Result<{ paymentId: string }>> {
  const { terminal, amount, currency, description, customerReference, card, key } = input;
  const userId = actor.member.user.id;
  const outcome = await withIdempotency(
    {
      merchantId: scope.merchantId,
      scope: `user:${userId}`,
      key,
      method: "POST",
      path: "/terminal",
      fingerprint: fingerprint({
        terminal: terminal.id,
        amount,
        // The card, not the token: a retry that tokenized the same card again is the same request.
        card: `${card.maskedCard}/${card.expiry}`,
        description,
        customerReference,
      }),
    },
    async ({ storeIn }) => {
      const chargeAudit = (dbx: DbOrTx, outcome: { payment: Payment } | { code: string }) =>
        auditStatement(dbx, {
          merchantId: scope.merchantId,
          actor,
          action: "payment.charge",
          outcome: "payment" in outcome && (outcome.payment.status === "captured" || outcome.payment.status === "pending") ? "success" : "failure",
          targetType: "payment",
          targetId: "payment" in outcome ? outcome.payment.id : undefined,
          details:
            "payment" in outcome
              ? { terminalId: terminal.id, amount, currency, status: outcome.payment.status, card: maskPan(outcome.payment.cardBin ?? "", outcome.payment.cardLast4 ?? "") }
              : { terminalId: terminal.id, amount, currency, code: outcome.code },
        });
      const r = await createPayment(
        scope,
        {
          amount,
          currency,
          token: card.token,
          description: description || null,
          customerReference: customerReference || null,
          capture: true,
          // Keyed by staff: the sandbox records it as mail/telephone order and asks for no cardholder authentication.
          channel: "moto",
        },
        {
          terminalId: terminal.id,
          userId,
          idempotencyKey: `vt:${userId}:${key}`,
          // Read by the checks before the charge: not read again.
          preloaded: { merchant: deps.merchant, terminal: { id: terminal.id, name: terminal.name, status: "active" }, card: deps.providerCard },
          // The usual outcome, a capture, commits with its audit event and the form key's answer
          // (both sent in the capture's own round trip).
          withCapture: (tx, captured) =>
            Promise.all([chargeAudit(tx, { payment: captured }), storeIn ? storeIn(tx, { status: 303, body: { paymentId: captured.id } }) : null]),
        },
      );
      if (r.ok && r.storedWithCapture) return { status: 303, body: { paymentId: r.payment.id }, stored: !!storeIn };
      await chargeAudit(db(), r.ok ? { payment: r.payment } : { code: r.error.code });
      if (r.ok) return { status: 303, body: { paymentId: r.payment.id } };
      // Refused before anything was charged: not kept, so the form can be fixed and sent again.
      return { status: r.error.status, body: { error: r.error }, store: false };
    },
  );
  if (outcome.status === 303) return { ok: true, paymentId: (outcome.body as { paymentId: string }).paymentId };
  // The payment's refusal, or the key's (withIdempotency answers { error } too).
  const e = (outcome.body as { error?: Partial<Failure> }).error ?? {};
  return failure(outcome.status, e.code ?? "", e.message ?? e.code ?? "", e.param ?? null, e.type ?? "api_error");
}

/** What a receipt and a line of the recent list both show of a payment: the card as BIN + last 4 at most. */
function paymentLine(p: Pick<Payment, "id" | "status" | "amount" | "currency" | "cardBin" | "cardLast4" | "cardBrand">): PaymentLine {
  return {
    id: p.id,
    status: p.status,
    amount: p.amount.toString(),
    currency: p.currency,
    maskedCard: maskedCardOf(p),
    cardBrand: p.cardBrand,
  };
}

interface PaymentLine {
  id: string;
  status: string;
  amount: string;
  currency: string;
  maskedCard: string | null;
  cardBrand: string;
}

export interface Receipt extends PaymentLine {
  cardFunding: string;
  issuerBank: string;
  declineCode: string | null;
  failureMessage: string | null;
  description: string | null;
  customerReference: string | null;
  terminalName: string | null;
  createdAt: string;
}

/** The receipt of a payment of this merchant (card shown as BIN + last 4 at most). */
export async function terminalReceipt(scope: Scope, paymentId: string): Promise<Receipt | null> {
  if (!/^[A-Za-z0-9_]{1,100}$/.test(paymentId)) return null;
  const p = await getPayment(scope, paymentId);
  if (!p) return null;
  const [term] = await db()
    .select({ name: terminals.name })
    .from(terminals)
    .where(and(eq(terminals.merchantId, scope.merchantId), eq(terminals.id, p.terminalId)));
  return {
    ...paymentLine(p),
    cardFunding: p.cardFunding,
    issuerBank: p.issuerBank,
    declineCode: p.declineCode,
    failureMessage: p.failureMessage,
    description: p.description,
    customerReference: p.customerReference,
    terminalName: term?.name ?? null,
    createdAt: p.createdAt.toISOString(),
  };
}

/** How long a pending charge is left to its own request before the receipt asks the provider (as the inquiry job does). */
export const RECEIPT_INQUIRY_GRACE_MS = 10_000;
/** After this long with no record at the provider, the inquiry calls the payment failed (nothing was charged). */
const RECEIPT_GIVE_UP_MS = 120_000;

/**
 * The receipt as it stands now. A pending payment older than the grace period is asked
 * about at the provider first (the inquiry job's own step: it never authorizes again, so a
 * receipt refreshing itself can never charge twice); a provider that does not answer
 * leaves it pending for the next refresh or the job.
 */
export async function currentTerminalReceipt(scope: Scope, paymentId: string, now: Date): Promise<Receipt | null> {
  if (!/^[A-Za-z0-9_]{1,100}$/.test(paymentId)) return null;
  const p = await getPayment(scope, paymentId);
  if (!p) return null;
  await inquireIfStale(p, now);
  return terminalReceipt(scope, paymentId);
}

/** True when the provider was asked (the payment may have changed). */
async function inquireIfStale(p: Payment, now: Date): Promise<boolean> {
  if (p.status !== "pending" || now.getTime() - p.createdAt.getTime() < RECEIPT_INQUIRY_GRACE_MS) return false;
  try {
    await settlePayment(p, now, RECEIPT_GIVE_UP_MS);
  } catch (e) {
    if (!(e instanceof ProcessorTimeoutError)) console.error(`terminal: inquiry for payment ${p.id} failed:`, (e as Error).message);
  }
  return true;
}

export interface RecentTerminalPayment extends PaymentLine {
  terminalName: string | null;
  createdAt: string;
}

/**
 * The last payments this member charged on the terminal, newest first (index
 * payments_created_by). Those still pending past the grace period are asked about at the
 * provider first, as the receipt does, so the list a member comes back to is current.
 */
export async function recentTerminalPayments(scope: Scope, userId: string, limit: number, now: Date): Promise<RecentTerminalPayment[]> {
  const list = await readRecent(scope, userId, limit);
  let asked = false;
  for (const row of list) {
    if (row.status !== "pending" || now.getTime() - Date.parse(row.createdAt) < RECEIPT_INQUIRY_GRACE_MS) continue;
    const p = await getPayment(scope, row.id);
    if (p && (await inquireIfStale(p, now))) asked = true;
  }
  return asked ? readRecent(scope, userId, limit) : list;
}

async function readRecent(scope: Scope, userId: string, limit: number): Promise<RecentTerminalPayment[]> {
  const list = await db()
    .select({ ...PAYMENT_LINE_COLUMNS, terminalName: terminals.name })
    .from(payments)
    .leftJoin(terminals, and(eq(terminals.merchantId, payments.merchantId), eq(terminals.id, payments.terminalId)))
    .where(and(eq(payments.merchantId, scope.merchantId), isNotNull(payments.createdByUserId), eq(payments.createdByUserId, userId)))
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(limit);
  return list.map((p) => ({ ...paymentLine(p), terminalName: p.terminalName ?? null, createdAt: p.createdAt.toISOString() }));
}

/** The sandbox's test cards, shown on the page while the merchant uses the sandbox. */
export async function sandboxHints(scope: Scope): Promise<Pick<TestCard, "number" | "brand" | "funding" | "behaviour">[] | null> {
  const m = await loadMerchant(scope);
  if (!m || (m.processorId ?? "sandbox") !== "sandbox") return null;
  return TEST_CARDS.map(({ number, brand, funding, behaviour }) => ({ number, brand, funding, behaviour }));
}
