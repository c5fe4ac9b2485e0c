/**
 * The one shape every console form's action answers with when it refuses the input
 * (docs/architecture.md, "Forms"). The page reads it with `useFormFailure` and shows it
 * with `<Field>` and `<ErrorSummary>`; the server builds it with `refuse` (web/form.server.ts).
 */

/** Messages by field name; `form` holds what belongs to no one field. */
export type FieldErrors = Record<string, string>;

export const FORM_ERROR = "form";

export interface FormFailure {
  ok: false;
  /** Which of the page's forms (its `intent` button or hidden field) the errors belong to. */
  intent?: string;
  errors: FieldErrors;
  /** What was typed, put back so nothing is lost (never passwords, codes or the CSRF token). */
  values?: Record<string, string>;
  /** Set when the action needs the password or a code again (see StepUpFields). */
  stepUp?: "missing" | "wrong_password" | "wrong_code";
}

export function isFormFailure(x: unknown): x is FormFailure {
  return (
    typeof x === "object" && x !== null && (x as { ok?: unknown }).ok === false && typeof (x as { errors?: unknown }).errors === "object"
  );
}

/**
 * Fields whose value is never sent back to the page (the card form's `number`, `exp` and
 * `cvc`, and the provider's card `token`, are card data).
 */
const SECRET = /password|^confirm$|^next$|^current$|code$|^_?csrf|secret|cardNumber|cvc|cvv|^number$|^pan$|^exp$|^token$/i;

/** The text fields of a submitted form, minus secrets: what a refused form puts back. */
export function keptValues(form: FormData | URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) {
    if (typeof v !== "string" || SECRET.test(k) || k in out) continue;
    out[k] = v;
  }
  return out;
}
