import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Card, DetailHeader, DetailList } from "~/components/page";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { Cadence, InvoiceBadge, InvoicesExportRow, SubscriptionBadge } from "~/components/console/subscriptions";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useI18n, useT } from "~/lib/i18n/react";
import { can } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import { requireAction } from "~/web/guard.server";
import { requireFound } from "~/web/detail-loader.server";
import { subscriptionDetail } from "~/modules/subscriptions/subscriptions.server";
import { changePlanFromForm, previewPlanChangeFromForm, subscriptionActionFromForm } from "~/web/subscriptions/console.server";
import { listPlans } from "~/modules/subscriptions/subscriptions.server";
import { FieldError, IntentForm } from "~/components/form";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "subs.detailTitle");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx, id, found: d } = await requireFound(request, "subscriptions:view", { type: "subscription", id: params.subscriptionId }, (ctx, id) => subscriptionDetail(ctx.scope, id));
  const s = d.subscription;
  const iso = (x: Date | null) => x?.toISOString() ?? null;
  // Plans it can change to: the same billing cycle (the proration rule's condition).
  const others = (await listPlans(ctx.scope)).filter((p) => p.active && p.interval === s.interval && p.intervalCount === s.intervalCount && p.calendar === s.calendar);
  return json(
    {
      canManage: can(ctx.role, "subscriptions:manage"),
      // This subscription's invoices, with the options every export takes (the report page's).
      invoicesExport: can(ctx.role, "reports:export") ? `/reports/invoices.csv?range=all&subscription=${encodeURIComponent(id)}` : null,
      changeTo: others.map((p) => ({ id: p.id, name: p.name, amount: p.amount.toString() })),
      subscription: {
        id: s.id,
        status: s.status,
        quantity: s.quantity,
        interval: s.interval,
        intervalCount: s.intervalCount,
        calendar: s.calendar,
        startAt: s.startAt.toISOString(),
        trialEndAt: iso(s.trialEndAt),
        currentPeriodStart: iso(s.currentPeriodStart),
        currentPeriodEnd: iso(s.currentPeriodEnd),
        nextRenewalAt: iso(s.nextRenewalAt),
        cancelAtPeriodEnd: s.cancelAtPeriodEnd,
        endedAt: iso(s.endedAt),
      },
      plan: { id: d.plan.id, name: d.plan.name, amount: d.plan.amount.toString() },
      customer: { id: d.customer.id, name: d.customer.name },
      card: d.paymentMethod && d.paymentMethod.status === "active" ? { brand: d.paymentMethod.cardBrand, last4: d.paymentMethod.cardLast4 } : null,
      invoices: d.invoices.map(({ invoice: i, attempts }) => ({
        id: i.id,
        n: i.periodIndex + 1,
        status: i.status,
        amount: i.amount.toString(),
        periodStart: i.periodStart.toISOString(),
        periodEnd: i.periodEnd.toISOString(),
        nextAttemptAt: iso(i.nextAttemptAt),
        attempts: attempts.map((p) => ({ id: p.id, status: p.status, declineCode: p.declineCode, createdAt: p.createdAt.toISOString() })),
      })),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "subscriptions:manage");
  const id = params.subscriptionId ?? "";
  const intent = form.get("intent");
  if (intent === "preview_change") {
    const p = await previewPlanChangeFromForm(ctx, id, form);
    return json(p, { status: p.ok ? 200 : p.status });
  }
  const r = intent === "change_plan" ? await changePlanFromForm(ctx, id, form, request) : await subscriptionActionFromForm(ctx, id, form, request);
  if (r.ok) return redirect(`/subscriptions/${id}`, 303);
  return json(r, { status: r.status });
}

function ActionButton({ intent, label, danger, invoiceId }: { intent: string; label: string; danger?: boolean; invoiceId?: string }) {
  const navigation = useNavigation();
  return (
    <Form method="post" className="inline-form">
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      {invoiceId ? <input type="hidden" name="invoiceId" value={invoiceId} /> : null}
      <button type="submit" className={danger ? "btn btn-danger" : "btn"} disabled={navigation.state === "submitting"}>
        {label}
      </button>
    </Form>
  );
}

export default function SubscriptionPage() {
  const data = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const t = useT();
  const fmt = useFormat();
  // From the old price to the new one, in the reading direction.
  const toward = useI18n().prefs.dir === "rtl" ? "←" : "→";
  const s = data.subscription;
  const errors = (failure && !failure.ok ? failure.errors : {}) as Record<string, string | undefined>;
  const preview = failure && failure.ok && "preview" in failure ? failure.preview : null;
  const live = s.status !== "canceled";
  return (
    <>
      <DetailHeader
        back={{ to: "/subscriptions", label: t("subs.title") }}
        title={
          <>
            {data.plan.name} · <bdi>{data.customer.name}</bdi>
          </>
        }
        intro={<span className="mono">{s.id}</span>}
      />
      <FieldError block id="sub-action-error" message={errors.form ?? errors.id} />
      <section className="card section">
        <DetailList
          items={[
            [
              t("common.status"),
              <>
                <SubscriptionBadge status={s.status} /> {s.cancelAtPeriodEnd && live ? <span className="muted">{t("subs.cancelAtEnd")}</span> : null}
              </>,
            ],
            [t("subs.customer"), <Link key="customer" to={`/customers/${data.customer.id}`}>{data.customer.name}</Link>],
            [t("subs.plan"), data.plan.name],
            [t("plans.col.price"), <span key="price" className="nowrap">{fmt.money(data.plan.amount)}</span>],
            [t("plans.col.interval"), <Cadence key="cadence" interval={s.interval} count={s.intervalCount} />],
            [t("plans.col.calendar"), t(`plans.calendar.${s.calendar}` as MessageKey)],
            [t("subs.quantity"), fmt.number(s.quantity)],
            [
              t("subs.card"),
              data.card ? (
                <span className="mono" dir="ltr">
                  {data.card.brand} •••• {fmt.digits(data.card.last4)}
                </span>
              ) : (
                t("subs.noCard")
              ),
            ],
            [t("subs.started"), fmt.dateTime(s.startAt)],
            [t("subs.trialEnds"), s.trialEndAt && fmt.dateTime(s.trialEndAt)],
            [t("subs.period"), s.currentPeriodStart && s.currentPeriodEnd && t("subs.periodRange", { from: fmt.dateTime(s.currentPeriodStart), to: fmt.dateTime(s.currentPeriodEnd) })],
            [t("subs.next"), s.nextRenewalAt && live ? fmt.dateTime(s.nextRenewalAt) : "—"],
            [t("subs.endedAt"), s.endedAt && fmt.dateTime(s.endedAt)],
          ]}
        />
        {data.canManage && live ? (
          <div className="actions-row" role="group" aria-label={t("subs.actions")}>
            {s.status === "paused" ? <ActionButton intent="resume" label={t("subs.action.resume")} /> : <ActionButton intent="pause" label={t("subs.action.pause")} />}
            {!s.cancelAtPeriodEnd && s.currentPeriodEnd ? <ActionButton intent="cancel_at_period_end" label={t("subs.action.cancelAtEnd")} /> : null}
            <ActionButton intent="cancel_now" label={t("subs.action.cancelNow")} danger />
          </div>
        ) : null}
      </section>
      {data.canManage && ["active", "past_due", "trialing"].includes(s.status) && data.changeTo.length > 1 ? (
        <Card headingId="change-h" title={t("subs.change.title")} className="section">
          {preview ? (
            <div data-testid="change-preview">
              <p>
                {t("subs.change.summary", { from: preview.fromPlanName, fromQty: fmt.number(preview.fromQuantity), to: preview.toPlanName, toQty: fmt.number(preview.toQuantity) })}
              </p>
              <dl className="dl">
                <dt>{t("subs.change.left")}</dt>
                <dd>{t("subs.change.leftValue", { left: fmt.number(Math.round((preview.secondsLeft / 86_400) * 100) / 100), length: fmt.number(Math.round((preview.periodSeconds / 86_400) * 100) / 100) })}</dd>
                <dt>{t("subs.change.perPeriod")}</dt>
                <dd className="num">
                  {fmt.money(preview.oldTotal)} {toward} {fmt.money(preview.newTotal)}
                </dd>
                <dt>{preview.outcome === "credit" ? t("subs.change.credit") : t("subs.change.charge")}</dt>
                <dd className="num" data-testid="proration">
                  {fmt.money(preview.proration.replace("-", ""))}
                </dd>
              </dl>
              <p className="hint">{t("subs.change.rule")}</p>
              <div className="actions-row">
                <IntentForm intent="change_plan" className="inline-form">
                  <input type="hidden" name="planId" value={preview.toPlanId} />
                  <input type="hidden" name="quantity" value={String(preview.toQuantity)} />
                  <input type="hidden" name="changeKey" value={preview.changeKey} />
                  <button type="submit" className="btn btn-primary">
                    {t("subs.change.confirm")}
                  </button>
                </IntentForm>
                <Link className="btn" to={`/subscriptions/${s.id}`}>
                  {t("common.cancel")}
                </Link>
              </div>
            </div>
          ) : (
            <IntentForm intent="preview_change">
              <div className="form-row">
                <div className="field">
                  <label htmlFor="change-plan">{t("subs.plan")}</label>
                  <select id="change-plan" name="planId" defaultValue={data.changeTo.find((p) => p.id !== data.plan.id)?.id}>
                    {data.changeTo.map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name} · {fmt.money(p.amount)}
                      </option>
                    ))}
                  </select>
                  <FieldError block id="change-planId-error" message={errors.planId} />
                </div>
                <div className="field">
                  <label htmlFor="change-qty">{t("subs.quantity")}</label>
                  <input id="change-qty" name="quantity" inputMode="numeric" maxLength={5} defaultValue={String(s.quantity)} />
                  <FieldError block id="change-quantity-error" message={errors.quantity} />
                </div>
              </div>
              <button type="submit" className="btn">
                {t("subs.change.preview")}
              </button>
            </IntentForm>
          )}
        </Card>
      ) : null}
      <Card headingId="timeline-h" title={t("subs.timeline")} className="section">
        <InvoicesExportRow href={data.invoicesExport} />
        {data.invoices.length === 0 ? <p className="muted">{t("subs.noInvoices")}</p> : null}
        <ol className="plain-list sub-timeline">
          {data.invoices.map((i) => (
            <li key={i.id} >
              <div>
                <strong>{t("subs.invoice.title", { n: i.n, from: fmt.date(i.periodStart), to: fmt.date(i.periodEnd) })}</strong> <InvoiceBadge status={i.status} />{" "}
                <span className="nowrap">{fmt.money(i.amount)}</span>
              </div>
              <div className="muted mono">{i.id}</div>
              <ul className="plain-list">
                {i.attempts.length === 0 ? <li className="muted">{t("subs.invoice.noAttempt")}</li> : null}
                {i.attempts.map((p) => (
                  <li key={p.id}>
                    <Link to={`/payments/${p.id}`}>
                      {p.status === "declined" || p.status === "failed"
                        ? t("subs.attempt.declined", { when: fmt.dateTime(p.createdAt), reason: p.declineCode ? t(`decline.${p.declineCode}` as MessageKey) : t(`paymentStatus.${p.status}` as MessageKey) })
                        : t("subs.attempt.other", { when: fmt.dateTime(p.createdAt), status: t(`paymentStatus.${p.status}` as MessageKey) })}
                    </Link>
                  </li>
                ))}
                {i.status === "open" && i.nextAttemptAt ? (
                  <li>
                    {t("subs.invoice.nextAttempt", { when: fmt.dateTime(i.nextAttemptAt) })}{" "}
                    {data.canManage ? <ActionButton intent="retry" invoiceId={i.id} label={t("subs.retryNow")} /> : null}
                  </li>
                ) : null}
              </ul>
            </li>
          ))}
        </ol>
      </Card>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
