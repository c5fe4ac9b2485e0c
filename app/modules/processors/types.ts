/**
 * The provider boundary. The console talks to a payment provider only through this
 * interface; the sandbox is one implementation, a real PSP would be another.
 *
 * Every money-moving call carries the console's own reference (the payment or refund
 * id), and a provider treats a repeated reference as the same request: that is what
 * makes a retry after a lost answer safe, and what inquiry looks up.
 */

export type CardBrandCode = "visa" | "mastercard" | "amex" | "discover" | "unionpay" | "shetab" | "unknown";
export type CardFundingCode = "credit" | "debit" | "prepaid" | "unknown";

export interface CardDetails {
  number: string;
  expMonth: number;
  /** Four-digit year. */
  expYear: number;
  cvc: string;
}

/** What the console keeps about a card: never the number, never the CVC. */
export interface CardToken {
  token: string;
  bin: string;
  last4: string;
  brand: CardBrandCode;
  funding: CardFundingCode;
  /** Iranian bank code ("017") or the network for foreign cards. */
  issuerBank: string;
  expMonth: number;
  expYear: number;
}

export type TokenizeResult =
  | { ok: true; card: CardToken }
  | { ok: false; code: "invalid_number" | "card_number_invalid" | "invalid_expiry" | "expired_card" | "invalid_cvc"; param: string; message: string };

export interface AuthorizeRequest {
  account: string;
  /** The console's payment id: the same reference twice is one authorization. */
  reference: string;
  token: string;
  amount: bigint;
  currency: string;
  capture: boolean;
  /**
   * How the card was presented. "ecommerce": the cardholder on a hosted payment page, who
   * must authenticate (Shetab dynamic PIN, 3-D Secure); "moto": keyed by the merchant's
   * staff (virtual terminal); "api" (default): the merchant's server; "recurring": a
   * merchant-initiated charge of a saved card (a subscription's renewal, no cardholder present,
   * under the mandate they accepted when saving it).
   */
  channel?: "ecommerce" | "moto" | "api" | "recurring";
  /** ecommerce: where the provider's authentication page sends the cardholder back, and what it names. */
  authentication?: { returnUrl: string; merchantName: string; locale: string };
}

export type AuthorizeResult =
  | { outcome: "approved"; providerReference: string; captured: boolean }
  /** The cardholder must authenticate on the provider's page first; the outcome comes by inquiry. */
  | { outcome: "action_required"; providerReference: string; redirectUrl: string }
  | { outcome: "declined"; providerReference: string; declineCode: string; message: string }
  | { outcome: "error"; providerReference: string | null; code: string; message: string };

export type OperationResult =
  | { ok: true; providerReference: string }
  | { ok: false; code: string; message: string };

export interface RefundRequest {
  account: string;
  /** The console's refund id. */
  reference: string;
  /** The payment's provider reference. */
  authorization: string;
  amount: bigint;
}

export type RefundResult =
  | { outcome: "succeeded"; providerReference: string }
  | { outcome: "failed"; providerReference: string | null; code: string; message: string };

export type InquiryResult =
  /** The provider never received the request. */
  | { status: "not_found" }
  /** Received, outcome not final yet: ask again later. */
  | { status: "processing" }
  | { status: "approved"; providerReference: string }
  | { status: "captured"; providerReference: string }
  | { status: "declined"; providerReference: string; declineCode: string; message: string }
  | { status: "voided"; providerReference: string }
  | { status: "error"; providerReference: string; code: string; message: string };

export type RefundInquiryResult =
  | { status: "not_found" }
  | { status: "succeeded"; providerReference: string }
  | { status: "failed"; providerReference: string; code: string; message: string };

export interface SettlementLine {
  providerReference: string;
  reference: string;
  kind: "capture" | "refund";
  amount: bigint;
  currency: string;
  at: Date;
}

export interface Processor {
  readonly id: string;
  /**
   * `forPayment`: the token is for the payment being taken now, whose insert commits (and waits
   * for its flush) before the provider is asked or anything is answered; a vault in this database
   * may then commit without waiting for its own flush (the payment's flush covers it).
   */
  tokenize(card: CardDetails, opts?: { forPayment?: boolean }): Promise<TokenizeResult>;
  /** Looks up a token issued earlier (the API accepts sandbox tokens instead of card details). */
  describeToken(token: string): Promise<CardToken | null>;
  authorize(req: AuthorizeRequest): Promise<AuthorizeResult>;
  capture(req: { account: string; authorization: string; amount: bigint }): Promise<OperationResult>;
  void(req: { account: string; authorization: string }): Promise<OperationResult>;
  refund(req: RefundRequest): Promise<RefundResult>;
  inquire(req: { account: string; reference: string }): Promise<InquiryResult>;
  inquireRefund(req: { account: string; reference: string }): Promise<RefundInquiryResult>;
  settlementReport(req: { account: string; from: Date; to: Date }): Promise<SettlementLine[]>;
}

/** The provider did not answer before the deadline: the outcome is unknown, not failed. */
export class ProcessorTimeoutError extends Error {
  constructor(operation: string) {
    super(`provider did not answer ${operation} before the deadline`);
    this.name = "ProcessorTimeoutError";
  }
}
