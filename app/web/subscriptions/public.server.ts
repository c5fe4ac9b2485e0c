/**
 * The cardholder's subscription pages (no sign-in): subscribe to a plan, update the card
 * after a failed renewal. Refusals from the domain in the cardholder's language.
 */
import type { makeFormatter } from "~/lib/format";
import type { Translator } from "~/lib/i18n/translate";
import type { CardUpdateRefusal } from "~/modules/subscriptions/card-updates.server";
import type { SubscribeRefusal } from "~/modules/subscriptions/subscribe.server";

export { payPreferences, declineReason } from "~/web/payment-links/public.server";
import { sharedRefusalText } from "~/web/cardholder-refusals.server";

export function subscribeRefusalText(t: Translator, _fmt: ReturnType<typeof makeFormatter>, r: SubscribeRefusal | CardUpdateRefusal): string {
  switch (r.code) {
    case "contact_required":
      return t("subscribe.error.contact");
    case "consent_required":
      return t("subscribe.error.consent");
    case "plan_inactive":
    case "plan_not_found":
      return t("subscribe.closed");
    case "ip_blocked":
      return t("pay.error.tooMany");
    case "form_invalid":
      return t("pay.error.checkoutExpired");
    case "payment_in_progress":
      return t("cardUpdate.error.inProgress");
    case "nothing_due":
      return t("cardUpdate.error.nothingDue");
    case "subscription_canceled":
    case "subscription_paused":
      return t("cardUpdate.error.ended");
    default:
      return sharedRefusalText(t, r.code) ?? t("pay.error.generic");
  }
}
