/**
 * The refusals every cardholder page shares (payment links, subscribe, update card): the
 * details they typed, the checkout's life, the card's token and the provider, in the
 * cardholder's language. Each page answers its own codes first and the rest here.
 */
import { codeMessage, type CodeMessages, type Translator } from "~/lib/i18n/translate";

const SHARED: CodeMessages = {
  name_invalid: "pay.error.name",
  email_invalid: "pay.error.email",
  phone_invalid: "pay.error.phone",
  too_many_attempts: "pay.error.tooMany",
  checkout_expired: "pay.error.checkoutExpired",
  checkout_not_found: "pay.error.checkoutExpired",
  token_invalid: "pay.error.card",
  token_not_found: "pay.error.card",
  provider_unavailable: "pay.error.provider",
};

/** A refusal in the cardholder's language: the page's own codes (`own`) first, then the shared ones; null for neither. */
export function sharedRefusalText(t: Translator, code: string, own: CodeMessages = {}): string | null {
  return codeMessage(t, code, own, SHARED);
}
