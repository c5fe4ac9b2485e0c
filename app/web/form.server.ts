/**
 * The server half of the one form mechanism: parse the form with the route's (or the
 * domain's) zod schema, and answer a refusal in the one `FormFailure` shape (app/lib/forms.ts):
 * a 4xx naming the field and what to do, with what was typed put back.
 */
import { json } from "@remix-run/node";
import type { ZodError, ZodType, ZodTypeDef } from "zod";
import { FORM_ERROR, keptValues, type FieldErrors, type FormFailure } from "~/lib/forms";
import { isMessageKey, type MessageParams, type Translator } from "~/lib/i18n/translate";
import type { StepUpProblem } from "./guard.server";

export interface RefuseInit {
  status?: number;
  intent?: string;
  /** The submitted form (its text fields come back, secrets left out) or the values themselves. */
  values?: FormData | Record<string, string>;
  headers?: HeadersInit;
  stepUp?: StepUpProblem;
}

/** The refusal: `errors` by field (`form` for the form as a whole), status 400 unless said. */
export function refuse(errors: FieldErrors | string, init: RefuseInit = {}) {
  const body: FormFailure = {
    ok: false,
    errors: typeof errors === "string" ? { [FORM_ERROR]: errors } : errors,
  };
  if (init.intent !== undefined) body.intent = init.intent;
  if (init.values) body.values = init.values instanceof FormData ? keptValues(init.values) : init.values;
  if (init.stepUp) {
    body.stepUp = init.stepUp.reason;
    // "missing" is not an error yet: the fields are shown, without a message.
    if (init.stepUp.reason !== "missing") body.errors = { ...body.errors, stepUp: init.stepUp.message };
  }
  return json<FormFailure>(body, {
    status: init.status ?? (init.stepUp ? 403 : 400),
    headers: init.headers,
  });
}

/**
 * What a message that is not a catalog key becomes: one catalog key for all (with `params`), or a
 * sentence by field (a domain schema's English said in the reader's language).
 */
export type Fallback = Parameters<Translator>[0] | ((field: string, english: string) => string);

/**
 * A zod error as messages by field, the first issue of each. Schemas give catalog keys as
 * their messages; anything else (zod's own English) becomes `fallback`. A schema made for
 * one request (with the reader's translator) may give a custom issue its finished sentence
 * as `params.text` (see `textIssue`).
 */
export function zodErrors(error: ZodError, t: Translator, fallback: Fallback, params?: MessageParams): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    // A missing or unknown intent is the form's problem, not a field's.
    const field = issue.path.length && issue.code !== "invalid_union_discriminator" ? String(issue.path[0]) : FORM_ERROR;
    if (field in out) continue;
    // A rule whose sentence has parameters of its own (an amount's currency and example) gives
    // it already in the reader's language: a custom issue's `params.text`.
    const text = issue.code === "custom" ? (issue.params as { text?: unknown } | undefined)?.text : undefined;
    if (typeof text === "string") out[field] = text;
    else if (isMessageKey(issue.message)) out[field] = t(issue.message, params);
    else out[field] = typeof fallback === "function" ? fallback(field, issue.message) : t(fallback, params);
  }
  return out;
}

/**
 * A submitted form as a record for `parseForm`: the fields named in `many` (a group of
 * checkboxes, one name ticked many times) as lists, an empty one when nothing is ticked.
 */
export function formRecord(form: FormData, many: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k of many) out[k] = form.getAll(k).map(String);
  for (const [k, v] of form.entries()) if (!(k in out) && typeof v === "string") out[k] = v;
  return out;
}

/**
 * What was typed, for `refuse` to put back: a list as one space-separated value (left out
 * when empty: a page shown a refusal of its form reads a missing list as none ticked).
 */
export function typedValues(record: Record<string, string | string[]>): Record<string, string> {
  const flat = Object.entries(record).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : v.length ? [[k, v.join(" ")]] : []));
  return keptValues(new URLSearchParams(flat));
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Parse a submitted form with a schema whose messages are catalog keys. */
export function parseForm<T>(
  schema: ZodType<T, ZodTypeDef, unknown>,
  form: FormData | Record<string, unknown>,
  t: Translator,
  fallback: Fallback,
  params?: MessageParams
): Parsed<T> {
  const parsed = schema.safeParse(form instanceof FormData ? Object.fromEntries(form) : form);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, errors: zodErrors(parsed.error, t, fallback, params) };
}

/** A custom issue carrying its finished sentence (already translated), for schemas built per request. */
export function textIssue(text: string, path?: (string | number)[]) {
  return { code: "custom" as const, message: text, params: { text }, ...(path ? { path } : {}) };
}
