import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { Cadence, FieldError } from "~/components/console/subscriptions";
import { defaultBillingCalendar } from "~/lib/billing-calendar";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import { can } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import { requireAction, requireContext } from "~/web/guard.server";
import { listPlans } from "~/modules/subscriptions/subscriptions.server";
import { subscribePath } from "~/modules/subscriptions/subscribe.server";
import { publicOrigin } from "~/web/request.server";
import { createPlanFromForm } from "~/web/subscriptions/console.server";
import { PageHeader } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "plans.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "subscriptions:view");
  const plans = await listPlans(ctx.scope);
  return json(
    {
      canManage: can(ctx.role, "plans:manage"),
      currency: ctx.merchant.currency,
      defaultCalendar: defaultBillingCalendar(ctx.merchant.currency),
      origin: publicOrigin(request),
      plans: plans.map((p) => ({ id: p.id, subscribePath: subscribePath(ctx.scope.merchantId, p.id), name: p.name, amount: p.amount.toString(), interval: p.interval, intervalCount: p.intervalCount, calendar: p.calendar, trialDays: p.trialDays, active: p.active })),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "plans:manage");
  const r = await createPlanFromForm(ctx, form, request);
  if (r.ok) return redirect("/plans", 303);
  return json(r, { status: r.status });
}

export default function PlansPage() {
  const data = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const navigation = useNavigation();
  const t = useT();
  const fmt = useFormat();
  const values = (failure && !failure.ok ? failure.values : {}) as Record<string, string>;
  const errors = (failure && !failure.ok ? failure.errors : {}) as Record<string, string | undefined>;
  const unit = data.currency === "IRR" ? t("money.unit.rial") : data.currency;
  const described = (f: string) => (errors[f] ? { "aria-invalid": true, "aria-describedby": `plan-${f}-error` } : {});
  return (
    <>
      <PageHeader title={t("plans.title")} intro={t("plans.subtitle")} />
      <div className="table-wrap">
        <table className="table">
          <caption>{t("plans.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("plans.col.name")}</th>
              <th scope="col" className="num">
                {t("plans.col.price")}
              </th>
              <th scope="col">{t("plans.col.interval")}</th>
              <th scope="col">{t("plans.col.calendar")}</th>
              <th scope="col">{t("plans.col.trial")}</th>
              <th scope="col">{t("plans.col.subscribePage")}</th>
            </tr>
          </thead>
          <tbody>
            {data.plans.map((p) => (
              <tr key={p.id}>
                <th scope="row">
                  {p.name}
                  <div className="muted mono">{p.id}</div>
                </th>
                <td className="num nowrap">{fmt.money(p.amount)}</td>
                <td>
                  <Cadence interval={p.interval} count={p.intervalCount} />
                </td>
                <td>{t(`plans.calendar.${p.calendar}` as MessageKey)}</td>
                <td>{p.trialDays ? t("plans.trial", { count: p.trialDays }) : t("plans.noTrial")}</td>
                <td>
                  {p.active ? (
                    <div className="plan-share">
                      <a href={p.subscribePath} className="mono plan-url" dir="ltr" target="_blank" rel="noreferrer" data-testid="subscribe-url">
                        {data.origin}
                        {p.subscribePath}
                      </a>
                      <span className="nowrap">
                        <a href={`${p.subscribePath}/qr.svg`} download>
                          {t("plans.qrSvg")}
                        </a>{" "}
                        ·{" "}
                        <a href={`${p.subscribePath}/qr.png`} download>
                          {t("plans.qrPng")}
                        </a>
                      </span>
                    </div>
                  ) : (
                    <span className="muted">{t("plans.inactive")}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data.plans.length === 0 ? <div className="empty-state">{t("plans.empty")}</div> : null}
      </div>
      {data.canManage ? (
        <section className="card section" aria-labelledby="new-plan-h">
          <h2 id="new-plan-h">{t("plans.new")}</h2>
          <Form method="post">
            <CsrfInput />
            <FieldError id="plan-form-error" message={errors.form} />
            <div className="form-row">
              <div className="field">
                <label htmlFor="plan-name">{t("plans.field.name")}</label>
                <input id="plan-name" name="name" required maxLength={200} defaultValue={values.name ?? ""} {...described("name")} />
                <FieldError id="plan-name-error" message={errors.name} />
              </div>
              <div className="field">
                <label htmlFor="plan-amount">{t("plans.field.amount", { unit })}</label>
                <input id="plan-amount" name="amount" required inputMode="decimal" maxLength={40} defaultValue={values.amount ?? ""} {...described("amount")} />
                <FieldError id="plan-amount-error" message={errors.amount} />
              </div>
            </div>
            <div className="form-row">
              <div className="field">
                <label htmlFor="plan-interval">{t("plans.field.interval")}</label>
                <select id="plan-interval" name="interval" defaultValue={values.interval || "month"}>
                  {(["week", "month", "year"] as const).map((i) => (
                    <option key={i} value={i}>
                      {t(`plans.unit.${i}`)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="plan-count">{t("plans.field.count")}</label>
                <input id="plan-count" name="intervalCount" inputMode="numeric" maxLength={3} defaultValue={values.intervalCount || "1"} {...described("intervalCount")} />
                <FieldError id="plan-intervalCount-error" message={errors.intervalCount} />
              </div>
              <div className="field">
                <label htmlFor="plan-trial">{t("plans.field.trial")}</label>
                <input id="plan-trial" name="trialDays" inputMode="numeric" maxLength={3} defaultValue={values.trialDays || "0"} {...described("trialDays")} />
                <FieldError id="plan-trialDays-error" message={errors.trialDays} />
              </div>
            </div>
            <div className="field">
              <label htmlFor="plan-calendar">{t("plans.field.calendar")}</label>
              <select id="plan-calendar" name="calendar" defaultValue={values.calendar || data.defaultCalendar} aria-describedby="plan-calendar-hint">
                <option value="persian">{t("plans.calendar.persian")}</option>
                <option value="gregory">{t("plans.calendar.gregory")}</option>
              </select>
              <p className="hint" id="plan-calendar-hint">
                {t("plans.field.calendarHint")}
              </p>
            </div>
            <button type="submit" className="btn btn-primary" disabled={navigation.state === "submitting"}>
              {navigation.state === "submitting" ? t("common.saving") : t("plans.create")}
            </button>
          </Form>
        </section>
      ) : null}
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
