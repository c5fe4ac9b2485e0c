import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { RouteErrorBoundary } from "~/components/route-error";
import { BalanceSummary } from "~/components/console/balances";
import { CellText } from "~/components/console/data-table";
import { vocabOptions } from "~/components/console/filters";
import { ListMenu, ListPage } from "~/components/console/list-page";
import { pageTitle } from "~/components/console/meta";
import { StatusBadge } from "~/components/console/status-badge";
import { PAYOUT_STATUSES } from "~/lib/labels";
import type { MessageKey } from "~/lib/i18n/en";
import { payoutFailureText } from "~/lib/i18n/messages";
import { useFormat, useT } from "~/lib/i18n/react";
import consoleStyles from "~/styles/console.css";
import { loadListPage } from "~/web/list-page.server";
import { balanceOverview } from "~/modules/settlements/balances.server";
import { listPayouts, payoutListQuerySchema, type PayoutListRow } from "~/modules/settlements/payout-list.server";
import { Card } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "payouts.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const { also: balances, answer } = await loadListPage(request, {
    list: "payouts",
    permission: "payouts:view",
    schema: payoutListQuerySchema,
    run: (scope, query) => listPayouts(scope, query),
    also: (scope) => balanceOverview(scope),
  });
  return answer((r) => r, {
    balances,
  });
}

export default function PayoutsPage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  const { query } = data;
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

  return (
    <ListPage
      list="payouts"
      page={data}
      multi={[{ name: "status", values: query.status, label: (s) => t(`payoutStatus.${s}` as MessageKey) }]}
      above={
        <Card headingId="balances-h" title={t("balances.title")} className="section">
          <BalanceSummary data={data.balances} />
        </Card>
      }
      dateLegend={t("payouts.arrivalRange")}
      filters={<ListMenu name="status" legend={t("common.status")} options={vocabOptions(t, "payoutStatus", PAYOUT_STATUSES)} />}
      columns={columns}
      totals={
        data.totals && [
          t("payouts.totals", { count: data.totals.count, amount: fmt.money(data.totals.amount) }),
          t("payouts.totalsPaid", { count: data.totals.paidCount, amount: fmt.money(data.totals.paidAmount) }),
        ]
      }
    />
  );
}

export { RouteErrorBoundary as ErrorBoundary };
