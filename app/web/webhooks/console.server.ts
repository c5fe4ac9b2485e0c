/**
 * The Webhooks console pages' edge:
 * a domain refusal in the reader's words under the field it names, and the endpoint form's
 * fields (its event-type checkboxes read as the list the API takes). The pages call the same domain
 * functions as the API (app/modules/webhooks).
 */
import { z } from "zod";
import type { Failure } from "~/lib/vocabulary";
import type { Translator } from "~/lib/i18n/translate";
import { isMessageKey } from "~/lib/i18n/translate";

/** The form's fields, as the domain's `param`s name them. */
export type WebhookField = "url" | "events" | "description" | "after" | "form";

/** A refusal in the reader's language, keyed by the field it is about. */
export function webhookFieldError(t: Translator, f: Failure, input: { url?: string } = {}): { field: WebhookField; message: string } {
  const field: WebhookField = f.param === "url" || f.param === "events" || f.param === "description" || f.param === "after" ? f.param : "form";
  const key = `webhooks.error.${f.code}`;
  if (f.code === "url_forbidden") {
    let host = "";
    try {
      host = new URL(String(input.url ?? "").trim()).hostname;
    } catch {
      host = String(input.url ?? "");
    }
    return { field, message: t("webhooks.error.url_forbidden", { host: host.slice(0, 100) }) };
  }
  if (isMessageKey(key)) return { field, message: t(key) };
  return { field, message: t("webhooks.error.unknown", { message: f.message }) };
}

/**
 * An endpoint's form fields (add and edit), read from `formRecord(form, ["events"])`: the
 * checked event types ("*", "payment.*", "payment.succeeded"...) as a list. Bounds only, with
 * catalog keys as messages; the domain checks the rest and names the field it refuses.
 */
export const endpointFields = {
  url: z.string().max(2100, "webhooks.error.url_too_long").default(""),
  description: z.string().max(300, "webhooks.error.description_too_long").default(""),
  events: z.array(z.string()).transform((events) => events.map((v) => v.trim()).filter((v) => v.length > 0 && v.length <= 60)),
};

/** A domain refusal as the form's errors (`refuse`'s first argument). */
export function webhookErrors(t: Translator, f: Failure, input: { url?: string } = {}): Record<string, string> {
  const e = webhookFieldError(t, f, input);
  return { [e.field]: e.message };
}
