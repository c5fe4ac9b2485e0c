import { Form, useLocation, useNavigation, useSearchParams } from "@remix-run/react";
import { useId, type ReactNode } from "react";
import { CsrfInput } from "~/components/csrf";
import { RadioFieldset, SubmitButton } from "~/components/form";
import { makeFormatter } from "~/lib/format";
import { DIGITS_PREFERENCES, IRR_DISPLAYS, LOCALES, LOCALE_AUTONYMS, localeDir } from "~/lib/i18n/locales";
import type { MessageKey } from "~/lib/i18n/en";
import { useI18n, useT } from "~/lib/i18n/react";

/**
 * The viewer's language, digits and rial/toman choice (POST /preferences). Rendered by
 * the security page; each option shows a sample of what it will look like, because
 * "Latin digits" or "toman" are easier to pick when you can see them.
 */
/** An option's words and, beside them, what it will look like. */
function Sampled({ text, sample, lang }: { text: string; sample: string; lang?: string }) {
  return (
    <>
      <span>{text}</span>{" "}
      <span className="muted num" lang={lang}>
        {sample}
      </span>
    </>
  );
}

/** One preference as radio choices, each value labelled by `label`. */
function PreferenceChoice<V extends string>({ name, legend, hint, checked, values, label }: {
  name: string;
  legend: MessageKey;
  hint?: MessageKey;
  checked: V;
  values: readonly V[];
  label: (value: V) => ReactNode;
}) {
  const t = useT();
  return (
    <RadioFieldset
      legend={t(legend)}
      hint={hint ? t(hint) : undefined}
      name={name}
      className="choice"
      checked={checked}
      options={values.map((value) => ({ value, label: label(value) }))}
    />
  );
}

export function PreferencesForm({ redirectTo }: { redirectTo?: string }) {
  const t = useT();
  const { prefs } = useI18n();
  const location = useLocation();
  const [params] = useSearchParams();
  const busy = useNavigation().formAction === "/preferences";
  const id = useId();
  const sample = (over: Partial<Parameters<typeof makeFormatter>[0]>) =>
    makeFormatter({ locale: prefs.locale, digits: prefs.digits, irrDisplay: prefs.irrDisplay, timeZone: prefs.timeZone, currency: "IRR", ...over });

  return (
    <Form method="post" action="/preferences" className="preferences-form" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("prefs.title")}</h2>
      <p className="muted">{t("prefs.intro")}</p>
      {params.get("prefs") === "saved" ? (
        <p className="success-box" role="status">
          {t("prefs.saved")}
        </p>
      ) : null}
      <CsrfInput />
      <input type="hidden" name="intent" value="preferences" />
      <input type="hidden" name="redirectTo" value={redirectTo ?? location.pathname} />

      <PreferenceChoice
        name="locale"
        legend="prefs.language.label"
        hint="prefs.language.hint"
        checked={prefs.locale}
        values={LOCALES}
        label={(locale) => (
          <span lang={locale} dir={localeDir(locale)}>
            {LOCALE_AUTONYMS[locale]}
          </span>
        )}
      />
      <PreferenceChoice
        name="digits"
        legend="prefs.digits.label"
        checked={prefs.digits}
        values={DIGITS_PREFERENCES}
        label={(digits) => <Sampled text={t(`prefs.digits.${digits}`)} sample={sample({ locale: "fa", digits }).number(1234567)} lang="fa" />}
      />
      <PreferenceChoice
        name="irrDisplay"
        legend="prefs.irrDisplay.label"
        hint="prefs.irrDisplay.hint"
        checked={prefs.irrDisplay}
        values={IRR_DISPLAYS}
        label={(irrDisplay) => <Sampled text={t(`prefs.irrDisplay.${irrDisplay}`, { factor: 10 })} sample={sample({ irrDisplay }).money(1_250_000n)} />}
      />

      <SubmitButton busy={busy} busyLabel={t("common.saving")}>{t("prefs.save")}</SubmitButton>
    </Form>
  );
}
