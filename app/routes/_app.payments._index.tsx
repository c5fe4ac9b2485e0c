import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { RouteErrorBoundary } from "~/components/route-error";
import { CellText } from "~/components/console/data-table";
import { ColumnPicker, vocabOptions } from "~/components/console/filters";
import { amountColumn, idColumn, linkColumn, statusColumn } from "~/components/console/list-columns";
import { RefundedBadge } from "~/components/console/status-badge";
import { ListMenu, ListPage } from "~/components/console/list-page";
import { pageTitle } from "~/components/console/meta";
import { CARD_BRANDS, CARD_FUNDINGS, DEFAULT_PAYMENT_COLUMNS, PAYMENT_COLUMNS, PAYMENT_STATUSES, type PaymentColumn } from "~/lib/labels";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import { can } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import { loadListPage } from "~/web/list-page.server";
import { PAYMENT_COLUMN_LABELS } from "~/components/console/view-filters";
import { listPayments, paymentFilterOptions, paymentListQuerySchema, type PaymentListRow } from "~/modules/payments/list.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "payments.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const { ctx, query, also: options, answer } = await loadListPage(request, {
    list: "payments",
    permission: "payments:view",
    schema: paymentListQuerySchema,
    run: (scope, query, ctx) => listPayments(scope, query, new Date(), { cardSearch: can(ctx.role, "cards:view") }),
    also: paymentFilterOptions,
    pageOnly: ["cursor", "cols", "limit"],
  });
  const canCards = can(ctx.role, "cards:view");
  const cols: readonly PaymentColumn[] = query.cols.length ? query.cols : DEFAULT_PAYMENT_COLUMNS;
  return answer((r) => (canCards ? r : { ...r, cardBin: null, cardLast4: null }), {
    visible: cols.filter((c) => canCards || (c !== "card" && c !== "bank")),
    columnChoices: PAYMENT_COLUMNS.filter((c) => canCards || (c !== "card" && c !== "bank")),
    options,
    canCards,
    canCharge: can(ctx.role, "terminal:charge"),
  });
}

type Row = PaymentListRow;

const COLUMN_LABELS = PAYMENT_COLUMN_LABELS;

export default function PaymentsPage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  const { query, options } = data;
  const columns = useMemo<ColumnDef<Row, unknown>[]>(
    () => [
      linkColumn({ id: "created", header: t(COLUMN_LABELS.created), href: (r) => `/payments/${r.id}`, text: (r) => fmt.dateTime(r.createdAt) }),
      amountColumn(t(COLUMN_LABELS.amount), (r) => <span className="num">{fmt.money(r.amount, r.currency)}</span>),
      // The refund under the status, not beside it: two badges side by side made Status the widest column at 1280 px.
      statusColumn(t(COLUMN_LABELS.status), "paymentStatus", (r) =>
        BigInt(r.amountRefunded) > 0n ? (
          <>
            <br />
            <RefundedBadge amount={r.amount} refunded={r.amountRefunded} />
          </>
        ) : null,
      ),
      {
        id: "card",
        header: t(COLUMN_LABELS.card),
        meta: { stack: "sub" },
        cell: ({ row }) =>
          row.original.cardLast4 ? (
            <span className="nowrap">
              {t(`cardBrand.${row.original.cardBrand}` as MessageKey)} <span className="mono">{t("card.masked", { last4: fmt.digits(row.original.cardLast4) })}</span>
            </span>
          ) : (
            t(`cardBrand.${row.original.cardBrand}` as MessageKey)
          ),
      },
      { id: "bank", header: t(COLUMN_LABELS.bank), meta: { flex: true }, cell: ({ row }) => <CellText>{fmt.bankName(row.original.issuerBank)}</CellText> },
      { id: "funding", header: t(COLUMN_LABELS.funding), cell: ({ row }) => t(`cardFunding.${row.original.cardFunding}` as MessageKey) },
      { id: "terminal", header: t(COLUMN_LABELS.terminal), meta: { flex: true }, cell: ({ row }) => <CellText>{row.original.terminalName}</CellText> },
      { id: "customer", header: t(COLUMN_LABELS.customer), meta: { flex: true }, cell: ({ row }) => <CellText>{row.original.customerReference}</CellText> },
      {
        id: "description",
        header: t(COLUMN_LABELS.description),
        meta: { flex: true, stack: "extra" },
        cell: ({ row }) => <CellText>{row.original.description}</CellText>,
      },
      {
        id: "refunded",
        header: t(COLUMN_LABELS.refunded),
        meta: { numeric: true },
        cell: ({ row }) => (row.original.amountRefunded === "0" ? "–" : fmt.money(row.original.amountRefunded, row.original.currency)),
      },
      {
        id: "fee",
        header: t(COLUMN_LABELS.fee),
        meta: { numeric: true },
        cell: ({ row }) => (row.original.fee === "0" ? "–" : fmt.money(row.original.fee, row.original.currency)),
      },
      idColumn(t(COLUMN_LABELS.id)),
    ],
    [t, fmt],
  );

  const visibility = Object.fromEntries(PAYMENT_COLUMNS.map((c) => [c, data.visible.includes(c)]));
  const terminalName = (id: string) => options.terminals.find((x) => x.id === id)?.name ?? id;
  return (
    <ListPage
      list="payments"
      page={data}
      statuses={{ vocab: "paymentStatus", all: PAYMENT_STATUSES }}
      multi={[
        { name: "terminal", values: query.terminal, label: terminalName },
        { name: "brand", values: query.brand, label: (s) => t(`cardBrand.${s}` as MessageKey) },
        { name: "bank", values: query.bank, label: (s) => fmt.bankName(s) },
        { name: "funding", values: query.funding, label: (s) => t(`cardFunding.${s}` as MessageKey) },
      ]}
      actions={
        <>
          {data.canCards ? (
            <Link to="/payments/lookup" className="btn" data-testid="lookup-link">
              {t("lookup.title")}
            </Link>
          ) : null}
          <ColumnPicker columns={data.columnChoices.map((c) => ({ id: c, label: t(COLUMN_LABELS[c]) }))} visible={data.visible} />
        </>
      }
      preserve={{ cols: query.cols }}
      searchHint={data.canCards ? undefined : t("payments.searchHintNoCards")}
      filters={
        <>
          <ListMenu
            name="terminal"
            legend={t("payments.col.terminal")}
            options={options.terminals.map((x) => {
              const name = x.kind === "link" ? t("links.title") : x.name;
              return { value: x.id, label: x.status === "active" ? name : t("payments.inactiveTerminal", { name }) };
            })}
          />
          <ListMenu name="brand" legend={t("card.brand.label")} options={vocabOptions(t, "cardBrand", CARD_BRANDS.filter((b) => b !== "unknown"))} />
          {data.canCards ? (
            <ListMenu name="bank" legend={t("card.bank")} options={options.banks.map((b) => ({ value: b, label: fmt.bankName(b) }))} />
          ) : null}
          <ListMenu name="funding" legend={t("card.funding.label")} options={vocabOptions(t, "cardFunding", CARD_FUNDINGS.filter((f) => f !== "unknown"))} />
        </>
      }
      columns={columns}
      totals={
        data.totals && [
          t("payments.totals", { count: data.totals.count, amount: fmt.money(data.totals.amount) }),
          t("payments.totalsCaptured", { count: data.totals.capturedCount, amount: fmt.money(data.totals.capturedAmount) }),
          data.totals.refunded !== "0" ? t("payments.totalsRefunded", { amount: fmt.money(data.totals.refunded) }) : null,
        ]
      }
      totalsText={data.totals?.capped ? t("payments.totalsCapped", { count: fmt.number(data.totals.count) }) : undefined}
      errorFields={["cursor", "sort", "cols", "limit"]}
      visibility={visibility}
      caption={t("payments.caption", { sort: t(query.sort.endsWith("amount") ? "payments.sortAmount" : "payments.sortCreated") })}
      emptyAction={
        data.canCharge ? (
          <Link to="/terminal" className="btn btn-primary">
            {t("payments.takePayment")}
          </Link>
        ) : null
      }
    />
  );
}

export { RouteErrorBoundary as ErrorBoundary };
