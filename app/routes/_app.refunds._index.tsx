import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { RouteErrorBoundary } from "~/components/route-error";
import { CellText } from "~/components/console/data-table";
import { vocabOptions } from "~/components/console/filters";
import { amountColumn, idColumn, statusColumn } from "~/components/console/list-columns";
import { ListMenu, ListPage } from "~/components/console/list-page";
import { pageTitle } from "~/components/console/meta";
import { REFUND_REASONS, REFUND_STATUSES } from "~/lib/labels";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import { can } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import { loadListPage } from "~/web/list-page.server";
import { listRefunds, refundIssuers, refundListQuerySchema, type RefundListRow } from "~/modules/refunds/list.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "refunds.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx, also: issuers, answer } = await loadListPage(request, {
    list: "refunds",
    permission: "payments:view",
    schema: refundListQuerySchema,
    run: (scope, query) => listRefunds(scope, query),
    also: (scope) => refundIssuers(scope),
  });
  const canCards = can(ctx.role, "cards:view");
  return answer((r) => (canCards ? r : { ...r, cardLast4: null }), {
    issuers,
  });
}

export default function RefundsPage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  const { query } = data;

  const columns = useMemo<ColumnDef<RefundListRow, unknown>[]>(
    () => [
      {
        id: "created",
        header: t("refunds.col.created"),
        meta: { sortField: "created", stack: "sub" },
        cell: ({ row }) => <span className="nowrap">{fmt.dateTime(row.original.createdAt)}</span>,
      },
      amountColumn(t("common.amount"), (r) => (
        <>
          {fmt.money(r.amount, r.currency)}
          {r.paymentAmount ? <div className="muted">{t("refunds.ofPayment", { amount: fmt.money(r.paymentAmount, r.currency) })}</div> : null}
        </>
      )),
      statusColumn(t("common.status"), "refundStatus", (r) => (r.failureCode ? <div className="muted mono">{r.failureCode}</div> : null)),
      {
        id: "reason",
        header: t("refunds.col.reason"),
        meta: { stack: "extra" },
        cell: ({ row }) => <span className="nowrap">{t(`refundReason.${row.original.reason}` as MessageKey)}</span>,
      },
      {
        id: "note",
        header: t("refunds.col.note"),
        meta: { flex: true, stack: "extra" },
        cell: ({ row }) => <CellText>{row.original.note}</CellText>,
      },
      {
        id: "payment",
        header: t("refunds.col.payment"),
        meta: { stack: "sub" },
        cell: ({ row }) => (
          <Link to={`/payments/${row.original.paymentId}`} className="row-link">
            {row.original.cardLast4 ? t("card.masked", { last4: fmt.digits(row.original.cardLast4) }) : <span className="mono">{row.original.paymentId}</span>}
          </Link>
        ),
      },
      { id: "by", header: t("refunds.col.issuedBy"), meta: { flex: true }, cell: ({ row }) => <CellText>{row.original.createdByName ?? t("refunds.byApi")}</CellText> },
      idColumn(t("refunds.col.id")),
    ],
    [t, fmt],
  );

  const issuerName = (id: string) => data.issuers.find((u) => u.id === id)?.name ?? id;
  return (
    <ListPage
      list="refunds"
      page={data}
      statuses={{ vocab: "refundStatus", all: REFUND_STATUSES }}
      multi={[
        { name: "reason", values: query.reason, label: (s) => t(`refundReason.${s}` as MessageKey) },
        { name: "by", values: query.by, label: issuerName },
      ]}
      filters={
        <>
          <ListMenu name="reason" legend={t("refunds.col.reason")} options={vocabOptions(t, "refundReason", REFUND_REASONS)} />
          <ListMenu name="by" legend={t("refunds.col.issuedBy")} options={data.issuers.map((u) => ({ value: u.id, label: u.name }))} />
        </>
      }
      columns={columns}
      totals={
        data.totals && [
          t("refunds.totals", { count: data.totals.count, amount: fmt.money(data.totals.amount) }),
          t("refunds.totalsSucceeded", { count: data.totals.succeededCount, amount: fmt.money(data.totals.succeededAmount) }),
        ]
      }
    />
  );
}

export { RouteErrorBoundary as ErrorBoundary };
