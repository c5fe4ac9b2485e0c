/**
 * The cardholder's subscription pages (no sign-in): subscribe to a plan, update the card
 * after a failed renewal. Refusals from the domain in the cardholder's language.
 */
import type { Failure } from "~/lib/vocabulary";
import type { makeFormatter } from "~/lib/format";
import type { CodeMessages, Translator } from "~/lib/i18n/translate";

export { payPreferences, declineReason } from "~/web/payment-links/public.server";
import { sharedRefusalText } from "~/web/cardholder-refusals.server";

const SUBSCRIBE_REFUSALS: CodeMessages = {
  contact_required: "subscribe.error.contact",
  consent_required: "subscribe.error.consent",
  plan_inactive: "subscribe.closed",
  plan_not_found: "subscribe.closed",
  ip_blocked: "pay.error.tooMany",
  form_invalid: "pay.error.checkoutExpired",
  payment_in_progress: "cardUpdate.error.inProgress",
  nothing_due: "cardUpdate.error.nothingDue",
  subscription_canceled: "cardUpdate.error.ended",
  subscription_paused: "cardUpdate.error.ended",
};

export function subscribeRefusalText(t: Translator, _fmt: ReturnType<typeof makeFormatter>, r: { error: Failure }): string {
  return sharedRefusalText(t, r.error.code, SUBSCRIBE_REFUSALS) ?? t("pay.error.generic");
}
