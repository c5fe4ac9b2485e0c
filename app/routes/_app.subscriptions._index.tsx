import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { RouteErrorBoundary } from "~/components/route-error";
import { pageTitle } from "~/components/console/meta";
import { Cadence, InvoicesExport, SubscriptionBadge } from "~/components/console/subscriptions";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import { SUBSCRIPTION_STATUSES } from "~/lib/vocabulary";
import consoleStyles from "~/styles/console.css";
import { can } from "~/lib/permissions";
import { requireContext } from "~/web/guard.server";
import { listSubscriptions, subscriptionStats } from "~/modules/subscriptions/subscriptions.server";
import { ExportLinks, num, PageHeader, PageLinks, RowHead, Table } from "~/components/page";
import { pageFrom, pageHref, pageRows } from "~/lib/paging";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "subs.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "subscriptions:view");
  const q = new URL(request.url).searchParams;
  const raw = q.get("status");
  const status = raw && (SUBSCRIPTION_STATUSES as readonly string[]).includes(raw) ? raw : null;
  // Newest first, in pages; a page past the end is empty, with a way back.
  const { page, limit, offset } = pageFrom(q);
  const [fetched, stats] = await Promise.all([listSubscriptions(ctx.scope, { status, limit, offset }), subscriptionStats(ctx.scope)]);
  const { rows: list, hasNext } = pageRows(fetched);
  const canExport = can(ctx.role, "reports:export");
  const filter = status ? `&status=${status}` : "";
  return json(
    {
      status,
      page,
      hasNext,
      // The same rows as the list (its status filter), all of them; invoices of every subscription.
      exports: canExport ? { subscriptions: `/reports/subscriptions.csv?range=all${filter}`, invoices: "/reports/invoices.csv?range=all" } : null,
      stats: { byStatus: stats.byStatus, mrr: stats.mrr.toString() },
      subscriptions: list.map((r) => ({
        id: r.subscription.id,
        status: r.subscription.status,
        customerId: r.subscription.customerId,
        customer: r.customerName,
        plan: r.planName,
        interval: r.subscription.interval,
        intervalCount: r.subscription.intervalCount,
        amount: (r.amount * BigInt(r.subscription.quantity)).toString(),
        quantity: r.subscription.quantity,
        nextRenewalAt: r.subscription.nextRenewalAt?.toISOString() ?? null,
        cancelAtPeriodEnd: r.subscription.cancelAtPeriodEnd,
      })),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export default function SubscriptionsPage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  const count = (s: string) => data.stats.byStatus[s] ?? 0;
  return (
    <>
      <PageHeader title={t("subs.title")} intro={t("subs.subtitle")}>
        {data.exports ? (
          <>
            <ExportLinks href={data.exports.subscriptions} label={t("subs.exportThese")} excelLabel={t("common.exportExcel")} testId="export-subscriptions" />
            <InvoicesExport href={data.exports.invoices} />
          </>
        ) : null}
      </PageHeader>
      <section className="kpi-grid" aria-label={t("subs.title")}>
        <div className="card kpi">
          <span className="muted">{t("subs.stat.mrr")}</span>
          <span className="value nowrap">{fmt.money(data.stats.mrr)}</span>
        </div>
        <div className="card kpi">
          <span className="muted">{t("subs.stat.active")}</span>
          <span className="value">{fmt.number(count("active") + count("trialing"))}</span>
        </div>
        <div className="card kpi">
          <span className="muted">{t("subs.stat.pastDue")}</span>
          <span className="value">{fmt.number(count("past_due"))}</span>
        </div>
      </section>
      <nav className="status-tabs" aria-label={t("subs.filter.label")}>
        <Link to="/subscriptions" aria-current={data.status === null ? "page" : undefined} className="btn">
          {t("subs.filter.all")}
        </Link>
        {SUBSCRIPTION_STATUSES.map((s) => (
          <Link key={s} to={`/subscriptions?status=${s}`} aria-current={data.status === s ? "page" : undefined} className="btn">
            {t(`subscriptionStatus.${s}` as MessageKey)} <span className="muted">{fmt.number(count(s))}</span>
          </Link>
        ))}
      </nav>
      <Table
        caption={t("subs.caption")}
        columns={[t("subs.col.customer"), t("subs.col.plan"), t("common.status"), num(t("subs.col.amount")), t("subs.col.next")]}
        empty={data.subscriptions.length === 0 ? t("subs.empty") : null}
      >
        <tbody>
          {data.subscriptions.map((s) => (
            <tr key={s.id}>
              <RowHead to={`/subscriptions/${s.id}`} name={s.customer} id={s.id} />
              <td>
                {s.plan}
                <div className="muted">
                  <Cadence interval={s.interval} count={s.intervalCount} />
                  {s.quantity > 1 ? ` × ${fmt.number(s.quantity)}` : ""}
                </div>
              </td>
              <td>
                <SubscriptionBadge status={s.status} />
                {s.cancelAtPeriodEnd ? <div className="muted">{t("subs.cancelAtEnd")}</div> : null}
              </td>
              <td className="num nowrap">{fmt.money(s.amount)}</td>
              <td className="nowrap">{s.nextRenewalAt ? fmt.dateTime(s.nextRenewalAt) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </Table>
      <PageLinks page={data.page} hasNext={data.hasNext} href={(n) => pageHref("/subscriptions", { status: data.status }, n)} />
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
