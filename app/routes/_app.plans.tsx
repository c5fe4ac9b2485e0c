import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { Cadence } from "~/components/console/subscriptions";
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
import { Card, num, PageHeader, Table } from "~/components/page";
import { Field, FieldError, SaveButton, useFormFailure } from "~/components/form";

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
  const form = useFormFailure();
  const t = useT();
  const fmt = useFormat();
  const { values, errors } = form;
  const unit = data.currency === "IRR" ? t("money.unit.rial") : data.currency;
  return (
    <>
      <PageHeader title={t("plans.title")} intro={t("plans.subtitle")} />
      <Table
        caption={t("plans.caption")}
        columns={[t("plans.col.name"), num(t("plans.col.price")), t("plans.col.interval"), t("plans.col.calendar"), t("plans.col.trial"), t("plans.col.subscribePage")]}
        empty={data.plans.length === 0 ? t("plans.empty") : null}
      >
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
      </Table>
      {data.canManage ? (
        <Card headingId="new-plan-h" title={t("plans.new")} className="section">
          <Form method="post">
            <CsrfInput />
            <FieldError block id={form.summaryId} message={errors.form} />
            <div className="form-row">
              <Field form={form} id="plan-name" name="name" label={t("plans.field.name")} required maxLength={200} defaultValue="" />
              <Field form={form} id="plan-amount" name="amount" label={t("plans.field.amount", { unit })} required inputMode="decimal" maxLength={40} defaultValue="" />
            </div>
            <div className="form-row">
              <Field
                id="plan-interval"
                name="interval"
                label={t("plans.field.interval")}
                defaultValue={values.interval || "month"}
                options={(["week", "month", "year"] as const).map((i) => ({ value: i, label: t(`plans.unit.${i}`) }))}
              />
              <Field id="plan-count" name="intervalCount" label={t("plans.field.count")} error={errors.intervalCount} inputMode="numeric" maxLength={3} defaultValue={values.intervalCount || "1"} />
              <Field id="plan-trial" name="trialDays" label={t("plans.field.trial")} error={errors.trialDays} inputMode="numeric" maxLength={3} defaultValue={values.trialDays || "0"} />
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
            <SaveButton label={t("plans.create")} />
          </Form>
        </Card>
      ) : null}
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
