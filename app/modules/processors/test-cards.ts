/**
 * The sandbox provider's deterministic test cards. One table feeds the sandbox's
 * behaviour, the README's "Sandbox test cards" section, the virtual terminal's hint
 * and the tests, so they cannot drift apart.
 *
 * Any expiry in the future and any CVC of the right length work with every card;
 * the outcome depends on the number alone. A Luhn-valid number that is not listed
 * is approved (Iranian cards as debit, others as credit).
 */
export type TestCardBehaviour =
  | { kind: "approve" }
  | { kind: "decline"; code: DeclineCode }
  | { kind: "processing_error" }
  /** No answer before the deadline; the provider did approve it, found later by inquiry. */
  | { kind: "timeout_approved" }
  /** No answer before the deadline; the request never reached the provider (inquiry: not found). */
  | { kind: "timeout_lost" }
  /** Approved after 2 seconds (inside the deadline). */
  | { kind: "slow" }
  /** Approved; any refund of it fails at the provider. */
  | { kind: "refund_fails" }
  /**
   * Approved while the cardholder is present (hosted page, terminal, API), declined on every
   * merchant-initiated renewal (channel "recurring") with this code: how a saved card fails
   * a subscription's renewal.
   */
  | { kind: "renewals_decline"; code: DeclineCode };

export type DeclineCode =
  | "authentication_failed"
  | "authentication_code_expired"
  | "authentication_timeout"
  | "authentication_canceled"
  | "insufficient_funds"
  | "do_not_honor"
  | "lost_card"
  | "stolen_card"
  | "expired_card"
  | "incorrect_cvc"
  /** The cardholder withdrew the consent to charge the saved card (renewals only). */
  | "revoked_authorization";

export type Funding = "credit" | "debit" | "prepaid";

export type AuthenticationBehaviour =
  /** Shetab: every code the cardholder types is wrong; after three tries, declined (authentication_failed). */
  | "pin2_wrong"
  /** Shetab: every code the bank sends has already expired; after three tries, declined (authentication_code_expired). */
  | "pin2_expired"
  /** Shetab: the bank never sends a code; the authentication times out (authentication_timeout). */
  | "pin2_timeout"
  /** Foreign: 3-D Secure asks for the one-time code the sandbox shows. */
  | "challenge"
  /** Foreign: 3-D Secure challenge that the issuer always fails (authentication_failed). */
  | "challenge_fails";

/** How a card authenticates on the hosted page (see TestCard.authentication). */
export function authenticationOf(brand: string, test: TestCard | undefined): "pin2" | "3ds" | "frictionless" {
  if (brand === "shetab") return "pin2";
  const b = test?.authentication;
  return b === "challenge" || b === "challenge_fails" ? "3ds" : "frictionless";
}

export interface TestCard {
  number: string;
  brand: "visa" | "mastercard" | "amex" | "discover" | "unionpay" | "shetab";
  funding: Funding;
  /** Issuing bank for Iranian cards. */
  bank?: string;
  behaviour: TestCardBehaviour;
  /**
   * Cardholder authentication on the hosted page (ecommerce only; staff-keyed "moto" and
   * server "api" payments skip it). Default: Shetab cards ask for the dynamic second
   * PIN (pin2) and the sandbox shows the code it would have texted; foreign cards pass
   * 3-D Secure without a challenge (frictionless).
   */
  authentication?: AuthenticationBehaviour;
  /** What a tester sees, in plain words. */
  outcome: string;
}

/** Plain-words decline reasons, shown on the receipt and returned by the API. */
export const DECLINE_MESSAGES: Record<DeclineCode | "processing_error" | "provider_unavailable", string> = {
  authentication_failed: "The cardholder did not pass authentication (wrong dynamic PIN or 3-D Secure code). Nothing was charged.",
  authentication_code_expired: "The one-time code had expired when the cardholder entered it. Nothing was charged; they can pay again with a new code.",
  authentication_timeout: "The cardholder did not finish authentication in time. Nothing was charged.",
  authentication_canceled: "The cardholder canceled on the authentication page. Nothing was charged.",
  insufficient_funds: "The card has insufficient funds. Ask the customer for another card.",
  do_not_honor: "The card's bank declined the payment without giving a reason. The customer should call their bank.",
  lost_card: "The card was reported lost. Do not retry it; ask for another payment method.",
  stolen_card: "The card was reported stolen. Do not retry it; ask for another payment method.",
  expired_card: "The card's bank says the card has expired. Ask the customer for another card.",
  incorrect_cvc: "The security code (CVC) is wrong. Check it with the customer and try again.",
  revoked_authorization: "The cardholder withdrew their consent to charge this saved card. Ask them for another card through the update link.",
  processing_error: "The provider could not process the payment. Nothing was charged; try again in a moment.",
  provider_unavailable: "The provider did not answer in time. The result will be known within a few minutes.",
};

/** Why the provider could not return a refund to the card, in plain words. */
export const REFUND_FAILURE_MESSAGES: Record<string, string> = {
  expired_or_canceled_card: "The card's account is closed, so its bank returned the refund.",
  exceeds_captured: "The refund is more than the provider still holds for this payment.",
  authorization_not_captured: "The provider has no captured payment to refund.",
};

export function refundFailureText(code: string | null | undefined): string | null {
  if (!code) return null;
  return REFUND_FAILURE_MESSAGES[code] ?? "The provider could not return the money to the card.";
}

export function declineText(code: string | null | undefined): string | null {
  if (!code) return null;
  return (DECLINE_MESSAGES as Record<string, string>)[code] ?? "The card was declined.";
}

export const TEST_CARDS: readonly TestCard[] = [
  { number: "4242424242424242", brand: "visa", funding: "credit", behaviour: { kind: "approve" }, outcome: "Approved" },
  { number: "4000056655665556", brand: "visa", funding: "debit", behaviour: { kind: "approve" }, outcome: "Approved (debit)" },
  { number: "5555555555554444", brand: "mastercard", funding: "credit", behaviour: { kind: "approve" }, outcome: "Approved" },
  { number: "5105105105105100", brand: "mastercard", funding: "prepaid", behaviour: { kind: "approve" }, outcome: "Approved (prepaid)" },
  { number: "2223000000000007", brand: "mastercard", funding: "debit", behaviour: { kind: "approve" }, outcome: "Approved (2-series debit)" },
  { number: "378282246310005", brand: "amex", funding: "credit", behaviour: { kind: "approve" }, outcome: "Approved (4-digit CVC)" },
  { number: "6011111111111117", brand: "discover", funding: "credit", behaviour: { kind: "approve" }, outcome: "Approved" },
  { number: "6200000000000005", brand: "unionpay", funding: "debit", behaviour: { kind: "approve" }, outcome: "Approved" },
  { number: "6037990000000006", brand: "shetab", funding: "debit", bank: "017", behaviour: { kind: "approve" }, outcome: "Approved (Melli, debit)" },
  { number: "6219860000000001", brand: "shetab", funding: "prepaid", bank: "056", behaviour: { kind: "approve" }, outcome: "Approved (Saman gift card)" },
  { number: "6104330000000003", brand: "shetab", funding: "credit", bank: "012", behaviour: { kind: "approve" }, outcome: "Approved (Mellat credit)" },
  { number: "6037990000001111", brand: "shetab", funding: "debit", bank: "017", behaviour: { kind: "approve" }, authentication: "pin2_wrong", outcome: "Hosted page: every dynamic PIN is wrong; declined after three tries" },
  { number: "6037990000002226", brand: "shetab", funding: "debit", bank: "017", behaviour: { kind: "approve" }, authentication: "pin2_expired", outcome: "Hosted page: every dynamic PIN sent has expired; declined after three tries" },
  { number: "6037990000003331", brand: "shetab", funding: "debit", bank: "017", behaviour: { kind: "approve" }, authentication: "pin2_timeout", outcome: "Hosted page: the bank never sends the dynamic PIN; authentication times out" },
  { number: "4000000000003220", brand: "visa", funding: "credit", behaviour: { kind: "approve" }, authentication: "challenge", outcome: "Hosted page: 3-D Secure challenge (enter the code shown), then approved" },
  { number: "4000008400001629", brand: "visa", funding: "credit", behaviour: { kind: "approve" }, authentication: "challenge_fails", outcome: "Hosted page: 3-D Secure challenge that always fails; declined" },
  { number: "4000000000009995", brand: "visa", funding: "credit", behaviour: { kind: "decline", code: "insufficient_funds" }, outcome: "Declined: insufficient funds" },
  { number: "6037990000009957", brand: "shetab", funding: "debit", bank: "017", behaviour: { kind: "decline", code: "insufficient_funds" }, outcome: "Declined: insufficient funds (Melli)" },
  { number: "4000000000000002", brand: "visa", funding: "credit", behaviour: { kind: "decline", code: "do_not_honor" }, outcome: "Declined: do not honour" },
  { number: "6104330000009954", brand: "shetab", funding: "debit", bank: "012", behaviour: { kind: "decline", code: "do_not_honor" }, outcome: "Declined: do not honour (Mellat)" },
  { number: "4000000000009987", brand: "visa", funding: "credit", behaviour: { kind: "decline", code: "lost_card" }, outcome: "Declined: lost card" },
  { number: "4000000000009979", brand: "visa", funding: "credit", behaviour: { kind: "decline", code: "stolen_card" }, outcome: "Declined: stolen card" },
  { number: "4000000000000069", brand: "visa", funding: "credit", behaviour: { kind: "decline", code: "expired_card" }, outcome: "Declined: expired card" },
  { number: "4000000000000127", brand: "visa", funding: "credit", behaviour: { kind: "decline", code: "incorrect_cvc" }, outcome: "Declined: incorrect CVC" },
  { number: "4000000000000119", brand: "visa", funding: "credit", behaviour: { kind: "processing_error" }, outcome: "Failed: processing error" },
  { number: "4000000000007700", brand: "visa", funding: "credit", behaviour: { kind: "timeout_approved" }, outcome: "Timeout: stays pending, the reconciliation job later finds it approved" },
  { number: "4000000000007718", brand: "visa", funding: "credit", behaviour: { kind: "timeout_lost" }, outcome: "Timeout: stays pending, the reconciliation job later marks it failed (never reached the provider)" },
  { number: "4000000000002008", brand: "visa", funding: "credit", behaviour: { kind: "slow" }, outcome: "Approved after 2 seconds" },
  { number: "4000000000003410", brand: "visa", funding: "credit", behaviour: { kind: "renewals_decline", code: "insufficient_funds" }, outcome: "Approved on the hosted page; every subscription renewal declined: insufficient funds" },
  { number: "6037990000004412", brand: "shetab", funding: "debit", bank: "017", behaviour: { kind: "renewals_decline", code: "insufficient_funds" }, outcome: "Approved on the hosted page (Melli); every subscription renewal declined: insufficient funds" },
  { number: "4000000000003428", brand: "visa", funding: "credit", behaviour: { kind: "renewals_decline", code: "expired_card" }, outcome: "Approved on the hosted page; every subscription renewal declined: expired card" },
  { number: "4000000000003436", brand: "visa", funding: "credit", behaviour: { kind: "renewals_decline", code: "revoked_authorization" }, outcome: "Approved on the hosted page; every subscription renewal declined: the cardholder revoked consent" },
  { number: "4000000000005126", brand: "visa", funding: "credit", behaviour: { kind: "refund_fails" }, outcome: "Approved; every refund of it fails at the provider" },
];

const BY_NUMBER = new Map(TEST_CARDS.map((c) => [c.number, c]));

export function findTestCard(pan: string): TestCard | undefined {
  return BY_NUMBER.get(pan);
}
