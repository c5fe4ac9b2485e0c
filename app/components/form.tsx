/**
 * The page half of the one form mechanism (docs/architecture.md, "Forms"): a refused
 * action answers a `FormFailure` (app/lib/forms.ts); `useFormFailure` reads it, `<Field>`
 * shows each field with its label, hint and error, `<ErrorSummary>` what belongs to no field.
 * Plain HTML forms: all of it works without JavaScript, the server answering the same page.
 */
import { Form, useActionData, useNavigation, type FormProps } from "@remix-run/react";
import type { CSSProperties, InputHTMLAttributes, ReactNode } from "react";
import { CsrfInput } from "~/components/csrf";
import { FORM_ERROR, isFormFailure, type FieldErrors, type FormFailure } from "~/lib/forms";
import { useT } from "~/lib/i18n/react";
import { MIN_PASSWORD_LENGTH } from "~/lib/password-policy";

const NONE: FieldErrors = {};
const NO_VALUES: Record<string, string> = {};

export interface FormState {
  /** The id of this form's error summary, which fields point at when the form as a whole was refused. */
  summaryId: string;
  failure: FormFailure | null;
  /** The refusal's messages by field (empty when the form was not refused). */
  errors: FieldErrors;
  /** What was typed, to put back as `defaultValue`. */
  values: Record<string, string>;
}

/** The last refusal of this route's action, or of one of its forms (`intent`). */
export function useFormFailure(intent?: string | readonly string[]): FormState {
  const data = useActionData() as unknown;
  return formState(data, intent);
}

export function formState(data: unknown, intent?: string | readonly string[]): FormState {
  const failure = isFormFailure(data) ? data : null;
  const mine =
    failure && (intent === undefined || (typeof intent === "string" ? failure.intent === intent : intent.includes(failure.intent ?? "")))
      ? failure
      : null;
  const summaryId = typeof intent === "string" ? `${intent}-error` : intent ? `${intent[0]}-error` : "form-error";
  return { summaryId, failure: mine, errors: mine?.errors ?? NONE, values: mine?.values ?? NO_VALUES };
}

/** What a field's control needs to be named, labelled and described. */
export interface ControlProps {
  id: string;
  name: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
}

type FieldProps = {
  name: string;
  /** The form's refusal: gives the field its error and its typed value back (not for passwords). */
  form?: FormState;
  /** Defaults to the name; give one when a page has the same name in two forms. */
  id?: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  /** Extra classes for the wrapper (`field` is always there). */
  className?: string;
  /** Other ids that describe the control (a note above the form, for instance). */
  describedBy?: string;
  /** A select's options: the control becomes a `<select>`. */
  options?: readonly { value: string; label: string }[];
  /** Any other control (textarea, a group): it gets id, name and the aria attributes. */
  children?: (control: ControlProps) => ReactNode;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "id" | "children" | "form">;

/**
 * A labelled control with its hint and error. The error is tied to the control by
 * aria-describedby and aria-invalid; the layout uses logical properties, so it reads
 * right to left in Persian.
 */
export function Field({
  name,
  form,
  id = name,
  label,
  hint,
  error = form?.errors[name],
  className,
  describedBy,
  options,
  children,
  ...input
}: FieldProps) {
  const formError = form?.errors[FORM_ERROR] ? form.summaryId : null;
  const control: ControlProps = {
    id,
    name,
    "aria-invalid": error ? true : undefined,
    "aria-describedby":
      [error ? `${id}-error` : null, hint ? `${id}-hint` : null, formError, describedBy].filter(Boolean).join(" ") || undefined,
  };
  const typed = form?.values[name];
  if (typed !== undefined && input.type !== "password" && input.value === undefined) input.defaultValue = typed;
  return (
    <div className={className ? `field ${className}` : "field"}>
      <label htmlFor={id}>{label}</label>
      {children ? (
        children(control)
      ) : options ? (
        <select {...control} defaultValue={input.defaultValue as string | undefined} disabled={input.disabled} required={input.required}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      ) : (
        <input {...control} {...input} />
      )}
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

/** A new password (its length rule as the hint) and the same typed again, as browsers' password managers expect them. */
export function NewPasswordFields({
  form,
  name = "password",
  id,
  confirmId,
  label,
  hint,
  confirmLabel,
  autoFocus,
}: {
  form: FormState;
  name?: string;
  id?: string;
  confirmId?: string;
  label: ReactNode;
  hint: ReactNode;
  confirmLabel: ReactNode;
  autoFocus?: boolean;
}) {
  return (
    <>
      <Field form={form} id={id} name={name} label={label} hint={hint} type="password" autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} required autoFocus={autoFocus} />
      <Field form={form} id={confirmId} name="confirm" label={confirmLabel} type="password" autoComplete="new-password" required />
    </>
  );
}

/** A field's label with "(optional)" after it. */
export function Optional({ children }: { children: ReactNode }) {
  const t = useT();
  return (
    <>
      {children} <span className="muted">({t("common.optional")})</span>
    </>
  );
}

/**
 * A field's message where a page lays the control out itself (a checkbox, a group, a filter).
 * `block`: a paragraph of its own, where it stands outside a field's column (a card's or a
 * form's refusal, a filter's).
 */
export function FieldError({ id, message, block }: { id: string; message?: string | null; block?: boolean }) {
  if (!message) return null;
  const Tag = block ? "p" : "span";
  return (
    <Tag className="field-error" id={id} role="alert">
      {message}
    </Tag>
  );
}

/** What ties a control (or a group refused as one field) to its message, whose id is `errorId`. */
export function errorAria(error: string | null | undefined, errorId: string) {
  return { "aria-invalid": error ? (true as const) : undefined, "aria-describedby": error ? errorId : undefined };
}

/**
 * Radio buttons, one a label: `<input> label`; `checked` is the one ticked at first, or, with
 * `onChange` (a page that changes as the choice does), the one ticked now.
 */
export function RadioOptions<V extends string>({
  name,
  options,
  checked,
  onChange,
  className,
  style,
}: {
  name: string;
  options: readonly { value: V; label: ReactNode }[];
  checked?: V;
  onChange?: (value: V) => void;
  className?: string;
  style?: CSSProperties;
}) {
  const tick = (v: V) => (onChange ? { checked: v === checked, onChange: () => onChange(v) } : { defaultChecked: v === checked });
  return (
    <>
      {options.map((o) => (
        <label key={o.value} className={className} style={style}>
          <input type="radio" name={name} value={o.value} {...tick(o.value)} /> {o.label}
        </label>
      ))}
    </>
  );
}

/** A fieldset of radio options with its legend, an optional hint and, when refused, its message. */
export function RadioFieldset<V extends string>({
  legend,
  hint,
  error,
  errorId,
  fieldsetClassName,
  ...radios
}: Parameters<typeof RadioOptions<V>>[0] & { legend: ReactNode; hint?: ReactNode; error?: string | null; errorId?: string; fieldsetClassName?: string }) {
  errorId ??= `${radios.name}-error`;
  return (
    <fieldset className={fieldsetClassName} {...errorAria(error, errorId)}>
      <legend>{legend}</legend>
      <RadioOptions {...radios} />
      {hint ? <p className="hint">{hint}</p> : null}
      <FieldError id={errorId} message={error} />
    </fieldset>
  );
}

/**
 * A checkbox that confirms or agrees to something (a deletion, a card mandate), with its error
 * when it was left unticked; ticked again after a refusal if it was (its value came back).
 */
export function CheckField({
  form,
  name,
  value = "yes",
  id = name,
  label,
  required,
}: {
  form: FormState;
  name: string;
  value?: string;
  id?: string;
  label: ReactNode;
  required?: boolean;
}) {
  const error = form.errors[name];
  return (
    <div className="check-field">
      <label className="check">
        <input
          type="checkbox"
          id={id}
          name={name}
          value={value}
          required={required}
          defaultChecked={form.values[name] === value}
          {...errorAria(error, `${id}-error`)}
        />{" "}
        {label}
      </label>
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

/**
 * What the refusal says about the form as a whole (and, given `fields`, about fields this
 * form does not show on their own). `id` lets a control point at it with aria-describedby.
 */
export function ErrorSummary({
  form,
  errors = form?.errors ?? NONE,
  fields = [],
  id = form?.summaryId,
}: {
  form?: FormState;
  errors?: FieldErrors;
  fields?: readonly string[];
  id?: string;
}) {
  const messages = [FORM_ERROR, ...fields].map((f) => errors[f]).filter((m): m is string => Boolean(m));
  if (messages.length === 0) return null;
  return (
    <p className="error-box error" role="alert" id={id}>
      {messages.join(" ")}
    </p>
  );
}

/**
 * A form posting one `intent` to this route's action, with the session's CSRF token and, given
 * `form` (its `useFormFailure(intent)`), what the refusal says about the form as a whole.
 */
export function IntentForm({ intent, form, children, ...props }: { intent: string; form?: FormState; children: ReactNode } & Omit<FormProps, "method">) {
  return (
    <Form method="post" {...props}>
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      {form ? <ErrorSummary form={form} /> : null}
      {children}
    </Form>
  );
}

/**
 * A form's main button, disabled while `busy` (the page says what that is: any navigation, or
 * this form's own submission); `busyLabel`, when given, stands for the label meanwhile.
 */
export function SubmitButton({
  busy,
  busyLabel,
  children,
  testId,
}: {
  busy: boolean;
  busyLabel?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <button type="submit" className="btn btn-primary" disabled={busy} data-testid={testId}>
      {busy && busyLabel !== undefined ? busyLabel : children}
    </button>
  );
}

/** A form's main button: "Saving…" and disabled while the page is submitting. */
export function SaveButton({ label }: { label: ReactNode }) {
  const t = useT();
  const busy = useNavigation().state === "submitting";
  return (
    <SubmitButton busy={busy} busyLabel={t("common.saving")}>
      {label}
    </SubmitButton>
  );
}

/** One button acting on one row of a table (revoke this session, withdraw this invitation): `intent` and the row's id. */
export function RowAction({ intent, name, value, children }: { intent: string; name: string; value: string; children: ReactNode }) {
  return (
    <Form method="post" className="inline-form">
      <CsrfInput />
      <input type="hidden" name={name} value={value} />
      <button type="submit" name="intent" value={intent} className="btn">
        {children}
      </button>
    </Form>
  );
}
