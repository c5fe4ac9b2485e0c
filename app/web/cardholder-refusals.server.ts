/**
 * The refusals every cardholder page shares (payment links, subscribe, update card): the
 * details they typed, the checkout's life, the card's token and the provider, in the
 * cardholder's language. Each page answers its own codes first and the rest here.
 */
import type { Translator } from "~/lib/i18n/translate";

export function sharedRefusalText(t: Translator, code: string): string | null {
  switch (code) {
    case "name_invalid":
      return t("pay.error.name");
    case "email_invalid":
      return t("pay.error.email");
    case "phone_invalid":
      return t("pay.error.phone");
    case "too_many_attempts":
      return t("pay.error.tooMany");
    case "checkout_expired":
    case "checkout_not_found":
      return t("pay.error.checkoutExpired");
    case "token_invalid":
    case "token_not_found":
      return t("pay.error.card");
    case "provider_unavailable":
      return t("pay.error.provider");
    default:
      return null;
  }
}
