import type { LinksFunction, ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, SubmitButton, useFormFailure } from "~/components/form";
import { pageTitle } from "~/components/console/meta";
import consoleStyles from "~/styles/console.css";
import { CsrfInput } from "~/components/csrf";
import { RouteErrorBoundary } from "~/components/route-error";
import { DAILY_SUMMARY_HOUR, DECLINE_MIN_ATTEMPTS } from "~/lib/notifications";
import { useFormat, useT } from "~/lib/i18n/react";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { notificationSettingsOf, saveNotificationSettings } from "~/modules/notifications/settings.server";
import { parseForm, refuse } from "~/web/form.server";
import { requireAction, requireContext } from "~/web/guard.server";
import { clientOf } from "~/web/request.server";
import { PageHeader } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "notifications.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request);
  const view = await notificationSettingsOf(ctx);
  return json({ ...view, merchantName: ctx.merchant.name }, { headers: { "Cache-Control": "private, no-store" } });
}

const notificationsForm = z.object({
  on: z.array(z.string().max(40)).transform((kinds) => kinds.slice(0, 20)),
  thresholdPct: z
    .string()
    .optional()
    .transform((v) => v?.slice(0, 20)),
});

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, null);
  const t = serverTranslator(resolvePreferences(ctx));
  // The ticked kinds are one field sent many times.
  const parsed = parseForm(notificationsForm, { on: form.getAll("on").map(String), thresholdPct: form.get("thresholdPct") ?? undefined }, t, "staff.error.checkForm");
  if (!parsed.ok) return refuse(parsed.errors);
  const { on, thresholdPct } = parsed.data;
  const r = await saveNotificationSettings(ctx, { on, thresholdPct }, clientOf(request));
  if (!r.ok) {
    return refuse(
      { [r.field]: t("notifications.error.threshold", { min: r.min, max: r.max }) },
      { values: { on: on.join(" "), thresholdPct: thresholdPct ?? "" } }
    );
  }
  return redirect("/settings/notifications?saved=1");
}

export default function Notifications() {
  const data = useLoaderData<typeof loader>();
  const form = useFormFailure();
  const result = form.failure;
  const busy = useNavigation().state === "submitting";
  const [params] = useSearchParams();
  const t = useT();
  const fmt = useFormat();
  const checked = (kind: string, enabled: boolean) => (result ? (form.values.on ?? "").split(" ").includes(kind) : enabled);
  const hasDecline = data.kinds.some((k) => k.kind === "decline_rate");
  return (
    <>
      <PageHeader title={t("notifications.title")} intro={t("notifications.subtitle", { email: data.email, merchant: data.merchantName })} />
      {params.get("saved") && !result ? (
        <p className="success-box" role="status">
          {t("notifications.saved")}
        </p>
      ) : null}
      {!data.smtp ? (
        <p className="notice" role="note">
          {t("notifications.noSmtp")} <Link to="/mailbox">{t("notifications.openMailbox")}</Link>
        </p>
      ) : null}
      <section className="card">
        <Form method="post" className="notification-form">
          <CsrfInput />
          <ErrorSummary form={form} />
          <fieldset>
            <legend>{t("notifications.legend")}</legend>
            <ul className="notification-list">
              {data.kinds.map(({ kind, enabled }) => (
                <li key={kind}>
                  <label className="notification-option">
                    <input type="checkbox" name="on" value={kind} defaultChecked={checked(kind, enabled)} aria-describedby={`help-${kind}`} />
                    <span>
                      <span className="notification-label">{t(`notifications.kind.${kind}`)}</span>
                      <span className="muted notification-help" id={`help-${kind}`}>
                        {kind === "decline_rate"
                          ? t("notifications.help.decline_rate", { min: DECLINE_MIN_ATTEMPTS })
                          : kind === "daily_summary"
                            ? t("notifications.help.daily_summary", { hour: `${fmt.number(DAILY_SUMMARY_HOUR)}:${fmt.number(0)}${fmt.number(0)}` })
                            : kind === "webhook_disabled"
                              ? t("notifications.help.webhook_disabled", { days: 3 })
                              : t(`notifications.help.${kind}`)}
                      </span>
                    </span>
                  </label>
                  {kind === "decline_rate" && hasDecline ? (
                    <Field
                      form={form}
                      className="notification-threshold"
                      name="thresholdPct"
                      label={t("notifications.threshold")}
                      inputMode="numeric"
                      dir="ltr"
                      size={5}
                      defaultValue={String(data.thresholdPct)}
                    />
                  ) : null}
                </li>
              ))}
            </ul>
          </fieldset>
          <div className="form-row">
            <SubmitButton busy={busy}>{t("notifications.save")}</SubmitButton>
          </div>
        </Form>
      </section>
    </>
  );
}

export const ErrorBoundary = RouteErrorBoundary;
