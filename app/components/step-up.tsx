import { useId } from "react";
import { useRouteLoaderData } from "@remix-run/react";
import { useT } from "~/lib/i18n/react";
import { APP_ROUTE_ID, type ShellData } from "~/lib/shell";

/** How long a confirmation lasts (STEP_UP_WINDOW_MS in app/web/guard.server.ts). */
const STEP_UP_MINUTES = 5;

/**
 * Re-authentication for sensitive actions (refunds above the threshold, bank account,
 * roles, API keys, turning 2FA off). The server skips it when the session confirmed the
 * password or a code within the last five minutes; the fields are shown regardless so
 * the form never needs a second round trip in the common case.
 */
export function StepUpFields({ error, twoFactor }: { error?: string | null; twoFactor?: boolean }) {
  const shell = useRouteLoaderData(APP_ROUTE_ID) as ShellData | undefined;
  const hasTotp = twoFactor ?? shell?.user.twoFactorEnabled ?? false;
  const id = useId();
  const t = useT();
  return (
    <fieldset className="step-up">
      <legend>{t("stepUp.legend")}</legend>
      <p className="hint">
        {hasTotp
          ? t("stepUp.hintWithCode", { minutes: STEP_UP_MINUTES })
          : t("stepUp.hintPassword", { minutes: STEP_UP_MINUTES })}
      </p>
      <div className="field">
        <label htmlFor={`${id}-pw`}>{t("stepUp.password")}</label>
        <input id={`${id}-pw`} type="password" name="stepUpPassword" autoComplete="current-password" />
      </div>
      {hasTotp ? (
        <div className="field">
          <label htmlFor={`${id}-code`}>{t("stepUp.code")}</label>
          <input
            id={`${id}-code`}
            name="stepUpCode"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]*"
            maxLength={7}
          />
        </div>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
