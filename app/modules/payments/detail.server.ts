/**
 * One payment as support and accountants read it: the card (BIN and last 4 at most),
 * its refunds, its balance transactions with their double-entry postings, the payouts
 * that carried its money, and a timeline of all of it in order.
 */
import { sql } from "drizzle-orm";
import { db, rows } from "~db/client.server";
import { balanceTransactionsFor } from "~/modules/ledger/ledger.server";
import { toPaymentListRow, type PaymentListRow, type PaymentRowRaw } from "~/modules/payments/list.server";
import { paymentNet } from "~/modules/payments/net";
import type { Scope } from "~/lib/vocabulary";

/** The payment's page: what its line in the list shows, and the rest of its story. */
export interface PaymentDetail extends PaymentListRow {
  /** What can still be refunded (0 unless captured). */
  refundable: string;
  /** Net of fee and refunds; null when no money moved (anything but captured). */
  net: string | null;
  cardExpMonth: number | null;
  cardExpYear: number | null;
  terminalKind: string | null;
  providerReference: string | null;
  failureMessage: string | null;
  createdByName: string | null;
  /** The payment link the customer paid through (pl_…) and its description; null otherwise. */
  paymentLinkId: string | null;
  paymentLinkDescription: string | null;
  authorizedAt: string | null;
  capturedAt: string | null;
  voidedAt: string | null;
}

export interface PaymentRefund {
  id: string;
  amount: string;
  status: string;
  reason: string;
  note: string | null;
  failureCode: string | null;
  createdAt: string;
  updatedAt: string;
  createdByName: string | null;
}

/** A balance transaction as the console's pages show it (a payment's ledger, a payout's items). */
export interface BalanceTransactionLine {
  id: string;
  category: string;
  gross: string;
  fee: string;
  net: string;
  sourceType: string;
  sourceId: string;
  description: string | null;
  createdAt: string;
  availableOn: string;
}

export interface LedgerLine extends BalanceTransactionLine {
  payoutId: string | null;
  postings: { account: string; amount: string }[];
}

export interface PayoutRef {
  id: string;
  status: string;
  amount: string;
  createdAt: string;
  expectedArrivalDate: string;
  paidAt: string | null;
  failedAt: string | null;
}

export type TimelineEvent =
  | { kind: "created" | "authorized" | "captured" | "declined" | "failed" | "voided"; at: string }
  | { kind: "refund"; at: string; refundId: string; amount: string; status: string }
  | { kind: "refund_failed"; at: string; refundId: string; amount: string }
  | { kind: "payout_included" | "payout_paid" | "payout_failed"; at: string; payoutId: string; refundId?: string };

export interface PaymentView {
  payment: PaymentDetail;
  refunds: PaymentRefund[];
  ledger: LedgerLine[];
  payouts: PayoutRef[];
  timeline: TimelineEvent[];
}

const ISO = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

export async function paymentView(scope: Scope, paymentId: string): Promise<PaymentView | null> {
  const dbx = db();
  const [p] = await rows<
    PaymentRowRaw & {
      card_exp_month: number | null;
      card_exp_year: number | null;
      terminal_kind: string | null;
      provider_reference: string | null;
      failure_message: string | null;
      created_by_name: string | null;
      payment_link_id: string | null;
      payment_link_description: string | null;
      authorized_at: string | null;
      captured_at: string | null;
      voided_at: string | null;
    }
  >(
    dbx,
    sql`select p.id, p.amount::text as amount, p.amount_refunded::text as amount_refunded, p.fee::text as fee, p.currency,
          p.status::text as status, p.card_brand::text as card_brand, p.card_funding::text as card_funding, p.card_bin,
          p.card_last4, p.card_exp_month, p.card_exp_year, p.issuer_bank, p.terminal_id, t.name as terminal_name,
          t.kind::text as terminal_kind, p.provider_reference, p.decline_code, p.failure_message, p.description,
          p.customer_reference, u.name as created_by_name, p.payment_link_id, pl.description as payment_link_description,
          ${ISO("p.created_at")} as created_at, ${ISO("p.authorized_at")} as authorized_at,
          ${ISO("p.captured_at")} as captured_at, ${ISO("p.voided_at")} as voided_at
        from payments p
        left join terminals t on t.merchant_id = p.merchant_id and t.id = p.terminal_id
        left join users u on u.id = p.created_by_user_id
        left join payment_links pl on pl.merchant_id = p.merchant_id and pl.id = p.payment_link_id
        where p.merchant_id = ${scope.merchantId} and p.id = ${paymentId}`,
  );
  if (!p) return null;

  const refundRows = await rows<{
    id: string;
    amount: string;
    status: string;
    reason: string;
    note: string | null;
    failure_code: string | null;
    created_at: string;
    updated_at: string;
    created_by_name: string | null;
  }>(
    dbx,
    sql`select r.id, r.amount::text as amount, r.status::text as status, r.reason::text as reason, r.note, r.failure_code,
          ${ISO("r.created_at")} as created_at, ${ISO("r.updated_at")} as updated_at, u.name as created_by_name
        from refunds r left join users u on u.id = r.created_by_user_id
        where r.merchant_id = ${scope.merchantId} and r.payment_id = ${paymentId}
        order by r.created_at, r.id`,
  );

  const txns = await balanceTransactionsFor(scope, [paymentId, ...refundRows.map((r) => r.id)], dbx);
  const postings = txns.length
    ? await rows<{ transaction_id: string; account: string; amount: string }>(
        dbx,
        sql`select transaction_id, account::text as account, amount::text as amount from ledger_entries
            where merchant_id = ${scope.merchantId}
              and transaction_id in (${sql.join(
                txns.map((t) => sql`${t.id}`),
                sql`, `,
              )})
            order by transaction_id, line`,
      )
    : [];
  const payoutIds = [...new Set(txns.map((t) => t.payoutId).filter((x): x is string => !!x))];
  const payoutRows = payoutIds.length
    ? await rows<{
        id: string;
        status: string;
        amount: string;
        created_at: string;
        expected_arrival_date: string;
        paid_at: string | null;
        failed_at: string | null;
      }>(
        dbx,
        sql`select id, status::text as status, amount::text as amount, ${ISO("created_at")} as created_at,
              expected_arrival_date::text as expected_arrival_date, ${ISO("paid_at")} as paid_at, ${ISO("failed_at")} as failed_at
            from payouts where merchant_id = ${scope.merchantId}
              and id in (${sql.join(
                payoutIds.map((id) => sql`${id}`),
                sql`, `,
              )})`,
      )
    : [];

  const amount = BigInt(p.amount);
  const refunded = BigInt(p.amount_refunded);
  const payment: PaymentDetail = {
    ...toPaymentListRow(p),
    refundable: (p.status === "captured" ? amount - refunded : 0n).toString(),
    net: paymentNet({ status: p.status, amount, amountRefunded: refunded, fee: BigInt(p.fee) })?.toString() ?? null,
    cardExpMonth: p.card_exp_month,
    cardExpYear: p.card_exp_year,
    terminalKind: p.terminal_kind,
    providerReference: p.provider_reference,
    failureMessage: p.failure_message,
    createdByName: p.created_by_name,
    paymentLinkId: p.payment_link_id,
    paymentLinkDescription: p.payment_link_description,
    authorizedAt: p.authorized_at,
    capturedAt: p.captured_at,
    voidedAt: p.voided_at,
  };
  const refundsOut: PaymentRefund[] = refundRows.map((r) => ({
    id: r.id,
    amount: r.amount,
    status: r.status,
    reason: r.reason,
    note: r.note,
    failureCode: r.failure_code,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    createdByName: r.created_by_name,
  }));
  const ledger: LedgerLine[] = txns.map((t) => ({
    id: t.id,
    category: t.category,
    gross: t.gross.toString(),
    fee: t.fee.toString(),
    net: t.net.toString(),
    sourceType: t.sourceType,
    sourceId: t.sourceId,
    description: t.description,
    createdAt: t.createdAt.toISOString(),
    availableOn: t.availableOn.toISOString(),
    payoutId: t.payoutId,
    postings: postings.filter((x) => x.transaction_id === t.id).map((x) => ({ account: x.account, amount: x.amount })),
  }));
  const payoutsOut: PayoutRef[] = payoutRows.map((r) => ({
    id: r.id,
    status: r.status,
    amount: r.amount,
    createdAt: r.created_at,
    expectedArrivalDate: r.expected_arrival_date,
    paidAt: r.paid_at,
    failedAt: r.failed_at,
  }));

  return { payment, refunds: refundsOut, ledger, payouts: payoutsOut, timeline: buildTimeline(payment, refundsOut, ledger, payoutsOut) };
}

/** Everything that happened to the payment and its money, oldest first. */
export function buildTimeline(p: PaymentDetail, refunds: PaymentRefund[], ledger: LedgerLine[], payouts: PayoutRef[]): TimelineEvent[] {
  const events: TimelineEvent[] = [{ kind: "created", at: p.createdAt }];
  if (p.authorizedAt) events.push({ kind: "authorized", at: p.authorizedAt });
  if (p.capturedAt) events.push({ kind: "captured", at: p.capturedAt });
  if (p.status === "declined" || p.status === "failed") events.push({ kind: p.status, at: p.createdAt });
  if (p.voidedAt) events.push({ kind: "voided", at: p.voidedAt });
  for (const r of refunds) {
    events.push({ kind: "refund", at: r.createdAt, refundId: r.id, amount: r.amount, status: r.status });
    if (r.status === "failed") events.push({ kind: "refund_failed", at: r.updatedAt, refundId: r.id, amount: r.amount });
  }
  const byId = new Map(payouts.map((po) => [po.id, po]));
  const seen = new Set<string>();
  for (const line of ledger) {
    if (!line.payoutId) continue;
    const po = byId.get(line.payoutId);
    if (!po) continue;
    const refundId = line.sourceType === "refund" ? line.sourceId : undefined;
    const key = `${po.id}|${refundId ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    events.push({ kind: "payout_included", at: po.createdAt, payoutId: po.id, refundId });
    if (!seen.has(`${po.id}|done`)) {
      seen.add(`${po.id}|done`);
      if (po.paidAt) events.push({ kind: "payout_paid", at: po.paidAt, payoutId: po.id });
      if (po.failedAt) events.push({ kind: "payout_failed", at: po.failedAt, payoutId: po.id });
    }
  }
  // Stable: equal instants keep the order they were pushed in (created before declined).
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.at < b.e.at ? -1 : a.e.at > b.e.at ? 1 : a.i - b.i))
    .map((x) => x.e);
}
