import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { RouteErrorBoundary } from "~/components/route-error";
import { BalanceSummary } from "~/components/console/balances";
import { CellText } from "~/components/console/data-table";
import { CheckboxMenu, vocabOptions } from "~/components/console/filters";
import { ListFilters, ListHeader, ListResults, useFilterChips } from "~/components/console/list-page";
import { pageTitle } from "~/components/console/meta";
import { StatusBadge } from "~/components/console/status-badge";
import { PAYOUT_STATUSES } from "~/lib/labels";
import type { MessageKey } from "~/lib/i18n/en";
import { payoutFailureText } from "~/lib/i18n/messages";
import { useFormat, useT } from "~/lib/i18n/react";
import { can } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import { requireContext } from "~/web/guard.server";
import { listPageJson } from "~/web/list-page.server";
import { viewsMenu } from "~/web/views.server";
import { ViewsMenu } from "~/components/console/views-menu";
import { balanceOverview } from "~/modules/settlements/balances.server";
import { listPayouts, payoutListQuerySchema, type PayoutListRow } from "~/modules/settlements/payout-list.server";
import { listExportHref, listScope, parseListQuery, runListQuery } from "~/modules/reporting/list-query.server";
import { Card } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "payouts.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "payouts:view");
  const url = new URL(request.url);
  const scope = listScope(ctx);
  const { query, errors } = parseListQuery(payoutListQuerySchema, url.searchParams);
  const [list, balances, views] = await Promise.all([runListQuery(errors, () => listPayouts(scope, query)), balanceOverview(scope), viewsMenu(ctx, "payouts")]);
  return listPageJson(query, errors, list, (r) => r, {
    totals: list
      ? { count: list.totals.count, amount: list.totals.amount.toString(), paidCount: list.totals.paidCount, paidAmount: list.totals.paidAmount.toString() }
      : null,
    balances,
    views,
    exportHref: can(ctx.role, "reports:export") ? listExportHref(url, "payouts") : null,
  });
}

export default function PayoutsPage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  const { query, errors } = data;
  const columns = useMemo<ColumnDef<PayoutListRow, unknown>[]>(
    () => [
      {
        id: "arrival",
        header: t("payouts.col.expectedArrival"),
        meta: { sortField: "arrival", stack: "sub" },
        cell: ({ row }) => (
          <Link to={`/payouts/${row.original.id}`} className="row-link">
            {fmt.day(row.original.expectedArrivalDate)}
          </Link>
        ),
      },
      {
        id: "amount",
        header: t("common.amount"),
        meta: { sortField: "amount", numeric: true, stack: "lead" },
        cell: ({ row }) => fmt.money(row.original.amount, row.original.currency),
      },
      {
        id: "status",
        header: t("common.status"),
        meta: { stack: "badge" },
        cell: ({ row }) => (
          <>
            <StatusBadge kind="payoutStatus" status={row.original.status} />
            {row.original.failureMessage || row.original.failureCode ? (
              <div className="muted">{payoutFailureText(t, row.original.failureCode) || row.original.failureMessage}</div>
            ) : null}
          </>
        ),
      },
      {
        id: "paid",
        header: t("payouts.col.arrived"),
        cell: ({ row }) => (row.original.paidAt ? fmt.date(row.original.paidAt) : "–"),
      },
      {
        id: "account",
        header: t("payouts.col.account"),
        meta: { flex: true, stack: "sub" },
        cell: ({ row }) => (
          <span title={`${row.original.bankName ? fmt.bankName(row.original.bankName) : ""} ${row.original.bankAccountMask ? fmt.digits(row.original.bankAccountMask) : ""}`.trim()}>
            {row.original.bankName ? fmt.bankName(row.original.bankName) : ""} <span className="mono">{row.original.bankAccountMask ? fmt.digits(row.original.bankAccountMask) : "–"}</span>
          </span>
        ),
      },
      { id: "items", header: t("payouts.col.items"), meta: { numeric: true }, cell: ({ row }) => fmt.number(row.original.itemCount) },
      {
        id: "created",
        header: t("payouts.col.created"),
        meta: { sortField: "created" },
        cell: ({ row }) => <span className="nowrap">{fmt.dateTime(row.original.createdAt)}</span>,
      },
      { id: "id", header: t("payouts.col.id"), meta: { flex: true }, cell: ({ row }) => <CellText className="mono">{row.original.id}</CellText> },
    ],
    [t, fmt],
  );

  const chips = useFilterChips(query, [{ name: "status", values: query.status, label: (s) => t(`payoutStatus.${s}` as MessageKey) }]);

  return (
    <>
      <ListHeader title={t("payouts.title")} exportHref={data.exportHref} exportLabel={t("payouts.exportThese")}>
        <ViewsMenu list="payouts" data={data.views} />
      </ListHeader>

      <Card headingId="balances-h" title={t("balances.title")} className="section">
        <BalanceSummary data={data.balances} />
      </Card>

      <ListFilters list="payouts" page={data} chips={chips} dateLegend={t("payouts.arrivalRange")}>
        <CheckboxMenu name="status" legend={t("common.status")} options={vocabOptions(t, "payoutStatus", PAYOUT_STATUSES)} selected={query.status} error={errors.status} />
      </ListFilters>

      <ListResults
        list="payouts"
        page={data}
        chips={chips}
        columns={columns}
        totals={
          data.totals && [
            t("payouts.totals", { count: data.totals.count, amount: fmt.money(data.totals.amount) }),
            t("payouts.totalsPaid", { count: data.totals.paidCount, amount: fmt.money(data.totals.paidAmount) }),
          ]
        }
      />
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
