/**
 * The API's JSON shapes. Money is a decimal string of minor units (JSON numbers lose
 * precision past 2^53, and rial sums get there); times are ISO 8601 UTC.
 */
import { maskedCardOf } from "~/lib/card";
import type { Payment as PaymentRow } from "~/modules/payments/payments.server";
import { declineText, refundFailureText } from "~/modules/processors/test-cards";
import type { Refund as RefundRow } from "~/modules/refunds/refunds.server";
import { isoOrNull } from "~/lib/dates/format";

export function serializeRefund(r: RefundRow) {
  return {
    id: r.id,
    object: "refund" as const,
    payment_id: r.paymentId,
    amount: r.amount.toString(),
    currency: r.currency,
    status: r.status,
    reason: r.reason,
    note: r.note,
    failure_code: r.failureCode,
    failure_message: refundFailureText(r.failureCode),
    provider_reference: r.providerReference,
    created_at: isoOrNull(r.createdAt),
    updated_at: isoOrNull(r.updatedAt),
  };
}

export function serializePayment(p: PaymentRow, refundRows?: RefundRow[]) {
  const captured = p.status === "captured";
  return {
    id: p.id,
    object: "payment" as const,
    status: p.status,
    amount: p.amount.toString(),
    currency: p.currency,
    amount_captured: (captured ? p.amount : 0n).toString(),
    amount_refunded: p.amountRefunded.toString(),
    amount_refundable: (captured ? p.amount - p.amountRefunded : 0n).toString(),
    fee: p.fee.toString(),
    net: (captured ? p.amount - p.fee : 0n).toString(),
    card: {
      brand: p.cardBrand,
      funding: p.cardFunding,
      bin: p.cardBin,
      last4: p.cardLast4,
      masked_number: maskedCardOf(p),
      exp_month: p.cardExpMonth,
      exp_year: p.cardExpYear,
      issuer_bank: p.issuerBank || null,
    },
    description: p.description,
    customer_reference: p.customerReference,
    customer_id: p.customerId ?? null,
    invoice_id: p.invoiceId ?? null,
    terminal_id: p.terminalId,
    payment_link_id: p.paymentLinkId ?? null,
    provider_reference: p.providerReference,
    decline_code: p.declineCode,
    decline_message: p.declineCode ? (p.failureMessage ?? declineText(p.declineCode)) : null,
    created_at: isoOrNull(p.createdAt),
    authorized_at: isoOrNull(p.authorizedAt),
    captured_at: isoOrNull(p.capturedAt),
    voided_at: isoOrNull(p.voidedAt),
    ...(refundRows ? { refunds: refundRows.map(serializeRefund) } : {}),
  };
}

export type PaymentJson = ReturnType<typeof serializePayment>;
export type RefundJson = ReturnType<typeof serializeRefund>;
