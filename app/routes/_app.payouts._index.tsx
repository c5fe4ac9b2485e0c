import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import type { ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { RouteErrorBoundary } from "~/components/route-error";
import { BalanceSummary } from "~/components/console/balances";
import { amountColumn, idColumn, linkColumn, statusColumn } from "~/components/console/list-columns";
import { ListPage } from "~/components/console/list-page";
import { pageTitle } from "~/components/console/meta";
import { PAYOUT_STATUSES } from "~/lib/labels";
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
  const columns = useMemo<ColumnDef<PayoutListRow, unknown>[]>(
    () => [
      linkColumn({ id: "arrival", header: t("payouts.col.expectedArrival"), href: (r) => `/payouts/${r.id}`, text: (r) => fmt.day(r.expectedArrivalDate) }),
      amountColumn(t("common.amount"), (r) => fmt.money(r.amount, r.currency)),
      statusColumn(t("common.status"), "payoutStatus", (r) =>
        r.failureMessage || r.failureCode ? <div className="muted">{payoutFailureText(t, r.failureCode) || r.failureMessage}</div> : null,
      ),
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
      idColumn(t("payouts.col.id")),
    ],
    [t, fmt],
  );

  return (
    <ListPage
      list="payouts"
      page={data}
      statuses={{ vocab: "payoutStatus", all: PAYOUT_STATUSES }}
      above={
        <Card headingId="balances-h" title={t("balances.title")} className="section">
          <BalanceSummary data={data.balances} />
        </Card>
      }
      dateLegend={t("payouts.arrivalRange")}
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
