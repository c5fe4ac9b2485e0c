/**
 * The Webhooks console pages' edge: who is acting (audited with the request's client),
 * a domain refusal in the reader's words under the field it names, and the form's
 * event-type checkboxes read as the list the API takes. The pages call the same domain
 * functions as the API (app/modules/webhooks).
 */
import type { AppContext } from "~/modules/access/context";
import type { Failure } from "~/lib/vocabulary";
import type { Translator } from "~/lib/i18n/translate";
import { isMessageKey } from "~/lib/i18n/translate";
import type { Actor } from "~/modules/webhooks/endpoints.server";
import { clientOf } from "~/web/request.server";

export function consoleActor(ctx: AppContext, request: Request): Actor {
  return { userId: ctx.user.id, email: ctx.user.email, client: clientOf(request) };
}

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

/** The checked event types ("*", "payment.*", "payment.succeeded"...). */
export function eventsOf(form: FormData): string[] {
  return form
    .getAll("events")
    .map((v) => String(v).trim())
    .filter((v) => v.length > 0 && v.length <= 60);
}

/** The form's text fields back, to refill it after a refusal. */
export function valuesOf(form: FormData): { url: string; description: string; events: string[] } {
  return { url: String(form.get("url") ?? "").slice(0, 2100), description: String(form.get("description") ?? "").slice(0, 300), events: eventsOf(form) };
}
