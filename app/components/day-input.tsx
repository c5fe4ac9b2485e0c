/**
 * A day field in the reader's calendar. Gregorian readers get the browser's date
 * picker; Jalali readers type year/month/day ("۱۴۰۴/۰۹/۰۴", any digits) and see the
 * day spelled out under the field as they type, so a slip of one month shows at once.
 * Either way the form sends a day the server's filters read (app/lib/day-input.ts
 * turns a Jalali day into the ISO one), and it works without JavaScript.
 */
import { useState, type ReactNode } from "react";
import { Field, type FormState } from "~/components/form";
import { normalizeDayInput, jalaliDayText } from "~/lib/day-input";
import { isValidLocalDateKey, parseLocalDateKey } from "~/lib/dates/zones";
import { useFormat, useI18n, useT } from "~/lib/i18n/react";

const EXAMPLE_JALALI_DAY = "1404/01/31";

export interface DayInputProps {
  id: string;
  name: string;
  /** The day as the server knows it: ISO "2025-03-21" (or what the person typed, if refused). */
  defaultValue?: string | null;
  required?: boolean;
  invalid?: boolean;
  /** Ids of an error message to announce with the field. */
  describedBy?: string;
}

export function DayInput(props: DayInputProps) {
  const { prefs } = useI18n();
  if (prefs.calendar !== "persian") {
    return (
      <input
        id={props.id}
        type="date"
        name={props.name}
        defaultValue={props.defaultValue ?? ""}
        required={props.required}
        aria-invalid={props.invalid ? true : undefined}
        aria-describedby={props.describedBy}
      />
    );
  }
  // Keyed by the server's day, so a new page (a cleared filter, a preset) shows its day, not the last one typed.
  return <JalaliDayInput key={props.defaultValue ?? ""} {...props} />;
}

/** A labelled day field: a `<Field>` around a DayInput, with the refused form's typed day put back. */
export function DayField(props: {
  form?: FormState;
  name: string;
  id?: string;
  label: ReactNode;
  defaultValue?: string | null;
  required?: boolean;
  /** A message said another way than the form's own (a list filter's, in the reader's calendar). */
  error?: string | null;
}) {
  const { form, name } = props;
  return (
    <Field form={form} id={props.id} name={name} label={props.label} error={props.error ?? form?.errors[name]}>
      {(c) => (
        <DayInput
          id={c.id}
          name={c.name}
          defaultValue={form?.failure ? form.values[name] : props.defaultValue}
          required={props.required}
          invalid={c["aria-invalid"]}
          describedBy={c["aria-describedby"]}
        />
      )}
    </Field>
  );
}

function JalaliDayInput(props: DayInputProps) {
  const t = useT();
  const fmt = useFormat();
  const initial = props.defaultValue ?? "";
  const shown = isValidLocalDateKey(initial) ? fmt.digits(jalaliDayText(initial)) : initial;
  const [value, setValue] = useState(shown);
  const hintId = `${props.id}-jalali`;
  const iso = normalizeDayInput(value);
  const understood = isValidLocalDateKey(iso);
  const example = fmt.digits(EXAMPLE_JALALI_DAY);
  return (
    <>
      <input
        id={props.id}
        type="text"
        name={props.name}
        inputMode="numeric"
        autoComplete="off"
        size={11}
        className="day-input"
        placeholder={example}
        value={value}
        onChange={(e) => setValue(e.currentTarget.value)}
        required={props.required}
        aria-invalid={props.invalid ? true : undefined}
        aria-describedby={[hintId, props.describedBy].filter(Boolean).join(" ")}
      />
      <span className="hint" id={hintId} aria-live="polite">
        {value.trim() === ""
          ? t("dates.dayInput.hint", { example })
          : understood
            ? t("dates.dayInput.reads", {
                date: fmt.date(parseLocalDateKey(iso, fmt.timeZone), "long"),
                gregorian: fmt.digits(iso),
              })
            : t("dates.dayInput.notUnderstood", { example })}
      </span>
    </>
  );
}
