import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { pageTitle } from "~/components/console/meta";
import { CsrfInput } from "~/components/csrf";
import { ErrorSummary, Field, formState, IntentForm, NewPasswordFields, RowAction, SubmitButton, useFormFailure } from "~/components/form";
import { FORM_ERROR } from "~/lib/forms";
import { parseForm, refuse } from "~/web/form.server";
import { PreferencesForm } from "~/components/preferences-form";
import { RouteErrorBoundary } from "~/components/route-error";
import { StepUpFields } from "~/components/step-up";
import type { MessageKey } from "~/lib/i18n/en";
import { deviceLabel, errorText } from "~/lib/i18n/messages";
import { useFormat, useT } from "~/lib/i18n/react";
import { checkStepUp, requireAction, requireContext } from "~/web/guard.server";
import {
  AccountError,
  cancelTotpEnrollment,
  changePassword,
  confirmTotpEnrollment,
  disableTotp,
  listActiveSessions,
  regenerateRecoveryCodes,
  revokeOwnSession,
  setRequire2fa,
  signOutEverywhere,
  startTotpEnrollment,
  twoFactorView,
} from "~/modules/auth/account.server";
import { MIN_PASSWORD_LENGTH } from "~/lib/password-policy";
import { clearSessionCookie } from "~/web/session-cookie.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { clientOf } from "~/web/request.server";
import { Card, DoneNotice, PageHeader, Table } from "~/components/page";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "security.title");

const TOTP_DIGITS = 6;
const RECOVERY_CODE_COUNT = 10;

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request);
  const [sessions, twoFactor] = await Promise.all([listActiveSessions(ctx), twoFactorView(ctx)]);
  return json(
    {
      email: ctx.user.email,
      merchantName: ctx.merchant.name,
      isOwner: ctx.role === "owner",
      require2fa: ctx.merchant.require2fa,
      sessions,
      twoFactor,
    },
    { headers: { "Cache-Control": "private, no-store" } }
  );
}

const securityForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("revoke-session"), sessionId: z.string().min(1).max(64) }),
  z.object({ intent: z.literal("sign-out-everywhere") }),
  z.object({ intent: z.literal("totp-start") }),
  z.object({ intent: z.literal("totp-cancel") }),
  // Messages are catalog keys, translated in the action.
  z.object({ intent: z.literal("totp-confirm"), code: z.string().trim().min(1, "security.error.codeRequired").max(20) }),
  z.object({ intent: z.literal("totp-disable") }),
  z.object({ intent: z.literal("recovery-regenerate") }),
  z.object({ intent: z.literal("require-2fa"), on: z.enum(["true", "false"]) }),
  z.object({
    intent: z.literal("change-password"),
    current: z.string().min(1, "security.error.currentRequired").max(1024),
    next: z.string().max(1024),
    confirm: z.string().max(1024),
  }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, null);
  const t = serverTranslator(resolvePreferences(ctx));
  const parsed = parseForm(securityForm, form, t, "staff.error.checkForm", { digits: TOTP_DIGITS });
  const intent = String(form.get("intent") ?? "");
  if (!parsed.ok) return refuse(parsed.errors, { intent });
  const input = parsed.data;
  const signedOut = () => redirect("/login?reason=signed_out", { headers: { "Set-Cookie": clearSessionCookie(request) } });
  try {
    switch (input.intent) {
      case "revoke-session": {
        const { current } = await revokeOwnSession(ctx, input.sessionId, clientOf(request));
        return current ? signedOut() : redirect("/settings/security?done=session-ended");
      }
      case "sign-out-everywhere":
        await signOutEverywhere(ctx, clientOf(request));
        return signedOut();
      case "totp-start":
        await startTotpEnrollment(ctx, clientOf(request));
        return redirect("/settings/security#two-factor");
      case "totp-cancel":
        await cancelTotpEnrollment(ctx);
        return redirect("/settings/security");
      case "totp-confirm":
        return json({ recoveryCodes: await confirmTotpEnrollment(ctx, input.code, clientOf(request)), intent });
      case "totp-disable":
      case "recovery-regenerate": {
        const problem = await checkStepUp(ctx, form, request);
        if (problem) return refuse({}, { intent, stepUp: problem });
        if (input.intent === "totp-disable") {
          await disableTotp(ctx, clientOf(request));
          return redirect("/settings/security?done=2fa-off");
        }
        return json({ recoveryCodes: await regenerateRecoveryCodes(ctx, clientOf(request)), intent });
      }
      case "require-2fa":
        await setRequire2fa(ctx, input.on === "true", clientOf(request));
        return redirect(`/settings/security?done=${input.on === "true" ? "required-on" : "required-off"}`);
      case "change-password":
        if (input.next !== input.confirm) {
          return refuse({ confirm: t("security.error.confirmMismatch") }, { intent });
        }
        await changePassword(ctx, { current: input.current, next: input.next }, clientOf(request));
        return redirect("/settings/security?done=password");
    }
  } catch (e) {
    if (e instanceof AccountError) return refuse({ [e.field ?? FORM_ERROR]: errorText(t, e) }, { intent, status: e.status });
    throw e;
  }
}

const DONE: Record<string, MessageKey> = {
  "session-ended": "security.done.sessionEnded",
  "2fa-off": "security.done.twoFactorOff",
  "required-on": "security.done.requiredOn",
  "required-off": "security.done.requiredOff",
  password: "security.done.password",
};

function RecoveryCodes({ codes }: { codes: string[] }) {
  const t = useT();
  return (
    <div className="success-box" role="status">
      <p>
        <strong>{t("security.recovery.saveNow")}</strong> {t("security.recovery.saveHint")}
      </p>
      <ol className="recovery-codes" dir="ltr" style={{ fontFamily: "monospace", columns: 2 }}>
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ol>
    </div>
  );
}

export default function Security() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errorsFor = (...intents: string[]) => formState(result, intents).errors;
  const twoFactorForm = formState(result, ["totp-start", "totp-confirm", "totp-disable", "recovery-regenerate"]);
  const passwordForm = useFormFailure("change-password");
  const busy = useNavigation().state === "submitting";
  const t = useT();
  const fmt = useFormat();
  const when = (iso: string | null) => (iso ? fmt.dateTime(iso) : "—");
  const [params] = useSearchParams();
  const tf = data.twoFactor;
  const codes = result && "recoveryCodes" in result ? result.recoveryCodes : null;

  return (
    <>
      <PageHeader title={t("security.title")} intro={<>{t("security.subtitle", { email: data.email })}</>} />
      {params.get("required") === "2fa" && !tf.enabled ? (
        <p className="notice" role="status">
          {t("security.requiredNotice", { merchant: data.merchantName })}
        </p>
      ) : null}
      <DoneNotice messages={DONE} />

      <Card headingId="tf-title" title={t("security.twoFactor.title")} id="two-factor">
        <ErrorSummary form={twoFactorForm} />
        {codes ? <RecoveryCodes codes={codes} /> : null}
        {tf.enabled ? (
          <>
            <p>
              <span className="badge badge-active">{t("security.twoFactor.on")}</span>{" "}
              {t("security.twoFactor.onSince", { date: when(tf.enabledAt), left: tf.recoveryCodesLeft, total: RECOVERY_CODE_COUNT })}
            </p>
            {tf.requiredBy.length > 0 ? (
              <p className="muted">
                {t("security.twoFactor.requiredBy", { merchants: new Intl.ListFormat(fmt.locale).format(tf.requiredBy) })}
              </p>
            ) : null}
            <Form method="post">
              <CsrfInput />
              <StepUpFields error={twoFactorForm.errors.stepUp} />
              <div className="form-row">
                <button type="submit" name="intent" value="recovery-regenerate" className="btn" disabled={busy}>
                  {t("security.twoFactor.newCodes")}
                </button>
                {tf.requiredBy.length === 0 ? (
                  <button type="submit" name="intent" value="totp-disable" className="btn btn-danger" disabled={busy}>
                    {t("security.twoFactor.turnOff")}
                  </button>
                ) : null}
              </div>
            </Form>
          </>
        ) : tf.enrollment ? (
          <>
            <ol>
              <li>{t("security.twoFactor.step1")}</li>
              <li>{t("security.twoFactor.step2")}</li>
              <li>{t("security.twoFactor.step3", { digits: TOTP_DIGITS })}</li>
            </ol>
            <div
              className="qr"
              role="img"
              aria-label={t("security.twoFactor.qr")}
              style={{ width: 200, height: 200, background: "#fff" }}
              dangerouslySetInnerHTML={{ __html: tf.enrollment.qrSvg }}
            />
            <p>
              {t("security.twoFactor.secret")}{" "}
              <code data-testid="totp-secret" dir="ltr">
                {tf.enrollment.secret}
              </code>
            </p>
            <IntentForm intent="totp-confirm" className="form-row">
              <Field
                form={twoFactorForm}
                id="totp-code"
                name="code"
                label={t("security.twoFactor.codeLabel")}
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                maxLength={7}
              />
              <SubmitButton busy={busy}>{t("security.twoFactor.turnOn")}</SubmitButton>
            </IntentForm>
            <Form method="post">
              <CsrfInput />
              <button type="submit" name="intent" value="totp-cancel" className="btn-link">
                {t("security.twoFactor.cancel")}
              </button>
            </Form>
          </>
        ) : (
          <>
            <p>
              <span className="badge">{t("security.twoFactor.off")}</span> {t("security.twoFactor.offHint")}
            </p>
            <Form method="post">
              <CsrfInput />
              <button type="submit" name="intent" value="totp-start" className="btn btn-primary" disabled={busy}>
                {t("security.twoFactor.setUp")}
              </button>
            </Form>
          </>
        )}
      </Card>

      {data.isOwner ? (
        <Card headingId="req-title" title={t("security.require.title", { merchant: data.merchantName })}>
          <ErrorSummary errors={errorsFor("require-2fa")} fields={["on"]} />
          <p>{data.require2fa ? t("security.require.on") : t("security.require.off")}</p>
          <IntentForm intent="require-2fa">
            <button type="submit" name="on" value={data.require2fa ? "false" : "true"} className="btn" disabled={busy}>
              {data.require2fa ? t("security.require.stop") : t("security.require.start")}
            </button>
          </IntentForm>
        </Card>
      ) : null}

      <Card headingId="sessions-title" title={t("security.sessions.title")}>
        <ErrorSummary errors={errorsFor("revoke-session", "sign-out-everywhere")} fields={["sessionId"]} />
        <Table
          columns={[
            t("security.sessions.device"),
            t("security.sessions.ip"),
            t("shell.merchant"),
            t("security.sessions.signedIn"),
            t("security.sessions.lastSeen"),
            <>
              <span className="visually-hidden">{t("common.actions")}</span>
            </>,
          ]}
        >
          <tbody>
            {data.sessions.map((s) => (
              <tr key={s.id}>
                <td>
                  {deviceLabel(t, s.device)}
                  {s.current ? <span className="badge badge-active"> {t("security.sessions.thisDevice")}</span> : null}
                </td>
                <td>
                  <bdi className="mono">{s.ip ?? "—"}</bdi>
                </td>
                <td>{s.merchantName ?? "—"}</td>
                <td>{when(s.createdAt)}</td>
                <td>{when(s.lastSeenAt)}</td>
                <td>
                  <RowAction intent="revoke-session" name="sessionId" value={s.id}>
                    {s.current ? t("shell.signOut") : t("security.sessions.revoke")}
                  </RowAction>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
        <Form method="post" style={{ marginBlockStart: "1rem" }}>
          <CsrfInput />
          <button type="submit" name="intent" value="sign-out-everywhere" className="btn btn-danger">
            {t("security.sessions.everywhere")}
          </button>
        </Form>
      </Card>

      <Card headingId="pw-title" title={t("security.password.title")}>
        <ErrorSummary form={passwordForm} />
        <IntentForm intent="change-password">
          <Field
            form={passwordForm}
            id="pw-current"
            name="current"
            label={t("security.password.current")}
            type="password"
            autoComplete="current-password"
            required
          />
          <NewPasswordFields
            form={passwordForm}
            id="pw-next"
            name="next"
            label={t("security.password.next")}
            hint={t("security.password.hint", { min: MIN_PASSWORD_LENGTH })}
            confirmId="pw-confirm"
            confirmLabel={t("security.password.confirm")}
          />
          <SubmitButton busy={busy}>{t("security.password.submit")}</SubmitButton>
        </IntentForm>
      </Card>

      <section className="card" id="preferences">
        <PreferencesForm />
      </section>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
