import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { clauseSeparator } from "~/lib/i18n/messages";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Card, DetailHeader, DetailList } from "~/components/page";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { DayInput } from "~/components/day-input";
import { pageTitle } from "~/components/console/meta";
import { StatusBadge } from "~/components/console/status-badge";
import { Cadence, InvoicesExportRow, SubscriptionBadge } from "~/components/console/subscriptions";
import { useFormat, useT } from "~/lib/i18n/react";
import { can } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import { requireAction } from "~/web/guard.server";
import { requireFound } from "~/web/detail-loader.server";
import { customerDetail } from "~/modules/subscriptions/customers.server";
import { listPlans } from "~/modules/subscriptions/subscriptions.server";
import { removeCardFromForm, subscribeFromForm } from "~/web/subscriptions/console.server";
import { FieldError, IntentForm } from "~/components/form";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "customers.detailTitle");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx, id, found: d } = await requireFound(request, "subscriptions:view", { type: "customer", id: params.customerId }, (ctx, id) => customerDetail(ctx.scope, id));
  const plans = await listPlans(ctx.scope);
  const planName = new Map(plans.map((p) => [p.id, p]));
  return json(
    {
      canManage: can(ctx.role, "customers:manage"),
      // This customer's invoices, with the options every export takes (the report page's).
      invoicesExport: can(ctx.role, "reports:export") ? `/reports/invoices.csv?range=all&customer=${encodeURIComponent(id)}` : null,
      customer: { id: d.customer.id, name: d.customer.name, email: d.customer.email, phone: d.customer.phone, reference: d.customer.reference, notes: d.customer.notes, createdAt: d.customer.createdAt.toISOString() },
      cards: d.paymentMethods.map((m) => ({
        id: m.id,
        brand: m.cardBrand,
        last4: m.cardLast4,
        exp: `${String(m.cardExpMonth).padStart(2, "0")}/${m.cardExpYear}`,
        status: m.status,
        mandateAt: m.mandateAcceptedAt.toISOString(),
        mandateLocale: m.mandateLocale,
        removedAt: m.removedAt?.toISOString() ?? null,
      })),
      subscriptions: d.subscriptions.map((s) => {
        const p = planName.get(s.planId);
        return { id: s.id, status: s.status, plan: p?.name ?? s.planId, interval: s.interval, intervalCount: s.intervalCount, nextRenewalAt: s.nextRenewalAt?.toISOString() ?? null };
      }),
      payments: d.payments.map((p) => ({ id: p.id, status: p.status, amount: p.amount.toString(), createdAt: p.createdAt.toISOString(), description: p.description })),
      plans: plans.filter((p) => p.active).map((p) => ({ id: p.id, name: p.name, amount: p.amount.toString(), interval: p.interval, intervalCount: p.intervalCount })),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "customers:manage");
  const id = params.customerId ?? "";
  if (form.get("intent") === "remove_card") {
    const r = await removeCardFromForm(ctx, form, request);
    if (r.ok) return redirect(`/customers/${id}`, 303);
    return json(r, { status: r.status });
  }
  const r = await subscribeFromForm(ctx, id, form, request);
  if (r.ok) return redirect(`/subscriptions/${r.subscription.id}`, 303);
  return json(r, { status: r.status });
}

export default function CustomerPage() {
  const data = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const navigation = useNavigation();
  const t = useT();
  const fmt = useFormat();
  const c = data.customer;
  const values = (failure && !failure.ok ? failure.values : {}) as Record<string, string>;
  const errors = (failure && !failure.ok ? failure.errors : {}) as Record<string, string | undefined>;
  const activeCards = data.cards.filter((k) => k.status === "active");
  const described = (f: string) => (errors[f] ? { "aria-invalid": true, "aria-describedby": `sub-${f}-error` } : {});
  return (
    <>
      <DetailHeader back={{ to: "/customers", label: t("customers.title") }} title={c.name} intro={<span className="mono">{c.id}</span>} />
      <section className="card section">
        <DetailList
          items={[
            [t("customers.field.email"), c.email && <bdi dir="ltr">{c.email}</bdi>],
            [
              t("customers.field.phone"),
              c.phone && (
                <span dir="ltr" className="mono">
                  {fmt.digits(c.phone)}
                </span>
              ),
            ],
            [t("customers.field.reference"), c.reference && <bdi>{c.reference}</bdi>],
            [t("customers.field.notes"), c.notes],
            [t("common.created"), fmt.dateTime(c.createdAt)],
          ]}
        />
      </section>

      <Card headingId="cards-h" title={t("customers.cards")} className="section">
        <FieldError block id="card-form-error" message={errors.form ?? errors.id} />
        {data.cards.length === 0 ? <p className="muted">{t("customers.cardsEmpty")}</p> : null}
        <ul className="plain-list">
          {data.cards.map((k) => (
            <li key={k.id}>
              <span className="mono" dir="ltr">
                {k.brand} •••• {fmt.digits(k.last4)}{clauseSeparator(t)}{fmt.digits(k.exp)}
              </span>{" "}
              <span className="muted">{t("customers.mandate", { when: fmt.dateTime(k.mandateAt), lang: k.mandateLocale === "fa" ? "فارسی" : "English" })}</span>{" "}
              {k.status === "removed" ? (
                <span className="muted">{t("customers.removedCard", { when: fmt.dateTime(k.removedAt!) })}</span>
              ) : data.canManage ? (
                <IntentForm intent="remove_card" className="inline-form">
                  <input type="hidden" name="paymentMethodId" value={k.id} />
                  <button type="submit" className="btn-link">
                    {t("customers.removeCard")}
                  </button>
                </IntentForm>
              ) : null}
            </li>
          ))}
        </ul>
      </Card>

      <Card headingId="subs-h" title={t("customers.subscriptions")} className="section">
        <InvoicesExportRow href={data.subscriptions.length > 0 ? data.invoicesExport : null} />
        {data.subscriptions.length === 0 ? <p className="muted">{t("customers.subscriptionsEmpty")}</p> : null}
        <ul className="plain-list">
          {data.subscriptions.map((s) => (
            <li key={s.id}>
              <DetailList
                items={[
                  [
                    t("subs.plan"),
                    <>
                      <Link to={`/subscriptions/${s.id}`}>{s.plan}</Link> <SubscriptionBadge status={s.status} />
                    </>,
                  ],
                  [t("plans.col.interval"), <Cadence key="cadence" interval={s.interval} count={s.intervalCount} />],
                  [t("subs.next"), s.nextRenewalAt && fmt.dateTime(s.nextRenewalAt)],
                ]}
              />
            </li>
          ))}
        </ul>
        {data.canManage ? (
          data.plans.length === 0 ? (
            <p className="muted">
              <Link to="/plans">{t("customers.subscribe.noPlans")}</Link>
            </p>
          ) : (
            <Form method="post" aria-labelledby="subscribe-h" className="subscribe-form">
              <h3 id="subscribe-h">{t("customers.subscribeTitle")}</h3>
              <CsrfInput />
              <FieldError block id="sub-form-error" message={errors.form ?? errors.customerId} />
              <div className="form-row">
                <div className="field">
                  <label htmlFor="sub-plan">{t("customers.subscribe.plan")}</label>
                  <select id="sub-plan" name="planId" defaultValue={values.planId ?? ""} {...described("planId")}>
                    {data.plans.map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name}{clauseSeparator(t)}{fmt.money(p.amount)}
                      </option>
                    ))}
                  </select>
                  <FieldError block id="sub-planId-error" message={errors.planId} />
                </div>
                <div className="field">
                  <label htmlFor="sub-card">{t("customers.subscribe.card")}</label>
                  <select id="sub-card" name="paymentMethodId" defaultValue={values.paymentMethodId ?? activeCards[0]?.id ?? ""} {...described("paymentMethodId")}>
                    {activeCards.map((k) => (
                      <option key={k.id} value={k.id}>
                        {k.brand} •••• {fmt.digits(k.last4)}
                      </option>
                    ))}
                    <option value="">{t("customers.subscribe.noCard")}</option>
                  </select>
                  <FieldError block id="sub-paymentMethodId-error" message={errors.paymentMethodId} />
                </div>
              </div>
              <div className="form-row">
                <div className="field">
                  <label htmlFor="sub-quantity">{t("customers.subscribe.quantity")}</label>
                  <input id="sub-quantity" name="quantity" inputMode="numeric" maxLength={5} defaultValue={values.quantity || "1"} {...described("quantity")} />
                  <FieldError block id="sub-quantity-error" message={errors.quantity} />
                </div>
                <div className="field">
                  <label htmlFor="sub-start">
                    {t("customers.subscribe.start")} <span className="muted">({t("common.optional")})</span>
                  </label>
                  <DayInput id="sub-start" name="startAt" defaultValue={values.startAt ?? ""} invalid={!!errors.startAt} describedBy={errors.startAt ? "sub-startAt-error" : undefined} />
                  <p className="hint">{t("customers.subscribe.startHint")}</p>
                  <FieldError block id="sub-startAt-error" message={errors.startAt} />
                </div>
              </div>
              <button type="submit" className="btn btn-primary" disabled={navigation.state === "submitting"}>
                {t("customers.subscribe.submit")}
              </button>
            </Form>
          )
        ) : null}
      </Card>

      <Card headingId="payments-h" title={t("customers.payments")} className="section">
        {data.payments.length === 0 ? <p className="muted">{t("customers.paymentsEmpty")}</p> : null}
        <ul className="plain-list">
          {data.payments.map((p) => (
            <li key={p.id}>
              <Link to={`/payments/${p.id}`} className="nowrap">
                {fmt.money(p.amount)}
              </Link>{" "}
              <StatusBadge kind="paymentStatus" status={p.status} /> <span className="muted">{fmt.dateTime(p.createdAt)}</span>
              {p.description ? <span className="muted"> · {p.description}</span> : null}
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
