/**
 * The virtual terminal's domain: which terminals a member may charge on, the card behind a
 * provider's token, the receipt (asking the provider about a pending charge, never charging
 * again) and the member's recent terminal payments. The charge itself is createPayment with
 * the member (payments.server.ts: the audit row is written there); the page's form, its key
 * and its messages are the web edge's (app/web/payments/terminal-page.server.ts).
 */
import { and, asc, desc, eq, isNotNull } from "drizzle-orm";
import { payments, terminals } from "~db/schema";
import { db } from "~db/client.server";
import { maskedCardOf, maskPan } from "~/lib/card";
import { TEST_CARDS, type TestCard } from "~/modules/processors/test-cards";
import { processorFor } from "~/modules/processors/sandbox-processor.server";
import { ProcessorTimeoutError, type CardToken } from "~/modules/processors/types";
import { getPayment, loadMerchant, PAYMENT_LINE_COLUMNS, type Payment } from "./payments.server";
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

/** Active terminals, the console's own (virtual) ones first. */
export async function chargeableTerminals(scope: { merchantId: string }): Promise<ChargeableTerminal[]> {
  const list = await db()
    .select({ id: terminals.id, name: terminals.name, kind: terminals.kind })
    .from(terminals)
    .where(and(eq(terminals.merchantId, scope.merchantId), eq(terminals.status, "active")))
    .orderBy(asc(terminals.name));
  // A payment link's terminal takes payments only through its hosted page.
  const keyed = list.filter((x): x is ChargeableTerminal => x.kind !== "link");
  return [...keyed.filter((x) => x.kind === "virtual"), ...keyed.filter((x) => x.kind !== "virtual")];
}

/** The card behind a token, from the merchant's provider (null: no such token). */
export async function describeTerminalToken(scope: { merchantId: string }, token: string): Promise<TokenCard | null> {
  if (!/^tok_[A-Za-z0-9]{1,64}$/.test(token)) return null;
  const m = await loadMerchant(scope);
  let c: CardToken | null = null;
  try {
    c = await processorFor(m?.processorId).describeToken(token);
  } catch {
    return null;
  }
  if (!c) return null;
  return {
    token: c.token,
    brand: c.brand,
    funding: c.funding,
    maskedCard: maskPan(c.bin, c.last4),
    issuerBank: c.issuerBank,
    expiry: `${String(c.expMonth).padStart(2, "0")}/${String(c.expYear % 100).padStart(2, "0")}`,
  };
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
export async function terminalReceipt(scope: { merchantId: string }, paymentId: string): Promise<Receipt | null> {
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
export async function currentTerminalReceipt(scope: { merchantId: string }, paymentId: string, now: Date): Promise<Receipt | null> {
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
export async function recentTerminalPayments(scope: { merchantId: string }, userId: string, limit: number, now: Date): Promise<RecentTerminalPayment[]> {
  const list = await readRecent(scope, userId, limit);
  let asked = false;
  for (const row of list) {
    if (row.status !== "pending" || now.getTime() - Date.parse(row.createdAt) < RECEIPT_INQUIRY_GRACE_MS) continue;
    const p = await getPayment(scope, row.id);
    if (p && (await inquireIfStale(p, now))) asked = true;
  }
  return asked ? readRecent(scope, userId, limit) : list;
}

async function readRecent(scope: { merchantId: string }, userId: string, limit: number): Promise<RecentTerminalPayment[]> {
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
export async function sandboxHints(scope: { merchantId: string }): Promise<Pick<TestCard, "number" | "brand" | "funding" | "behaviour">[] | null> {
  const m = await loadMerchant(scope);
  if (!m || (m.processorId ?? "sandbox") !== "sandbox") return null;
  return TEST_CARDS.map(({ number, brand, funding, behaviour }) => ({ number, brand, funding, behaviour }));
}
