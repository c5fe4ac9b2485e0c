import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import type { ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { RouteErrorBoundary } from "~/components/route-error";
import { CellText, DataTable } from "~/components/console/data-table";
import { pageTitle } from "~/components/console/meta";
import { AmountHeader } from "~/components/console/amount-header";
import { workbookHref } from "~/components/console/url";
import type { MessageKey } from "~/lib/i18n/en";
import { listFieldError, payoutFailureText } from "~/lib/i18n/messages";
import { useFormat, useT } from "~/lib/i18n/react";
import { can } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import { requireAction } from "~/web/guard.server";
import { requireFound } from "~/web/detail-loader.server";
import { clientOf } from "~/web/request.server";
import { memberActor } from "~/lib/vocabulary";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { cancelPayout, payoutCancelable } from "~/modules/settlements/cancel.server";
import { getPayout, payoutItems, payoutItemsQuerySchema, payoutSummary, type PayoutItemRow } from "~/modules/settlements/payout-detail.server";
import { listScope, parseListQuery, runListQuery } from "~/modules/reporting/list-query.server";
import { IntentForm } from "~/components/form";
import { Card, DetailList, Section } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "payoutDetail.pageTitle");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx, id, found: payout } = await requireFound(request, "payouts:view", { type: "payout", id: params.payoutId }, (ctx, id) => getPayout(listScope(ctx), id));
  const scope = listScope(ctx);
  const { query, errors } = parseListQuery(payoutItemsQuerySchema, new URL(request.url).searchParams);
  const canCards = can(ctx.role, "cards:view");
  const [summary, items] = await Promise.all([payoutSummary(scope, id), runListQuery(errors, () => payoutItems(scope, id, query))]);
  return json(
    {
      payout,
      summary: {
        itemCount: summary.itemCount,
        chargeCount: summary.chargeCount,
        chargesGross: summary.chargesGross.toString(),
        refundCount: summary.refundCount,
        refunds: summary.refunds.toString(),
        fees: summary.fees.toString(),
        returnedPayouts: summary.returnedPayouts.toString(),
        other: summary.other.toString(),
        net: summary.net.toString(),
      },
      items: (items?.rows ?? []).map((r) => (canCards ? r : { ...r, cardLast4: null })),
      next: items?.next ?? null,
      prev: items?.prev ?? null,
      errors,
      canPayments: can(ctx.role, "payments:view"),
      // Offered only while the engine has not claimed the send; the action decides for good.
      canCancel: can(ctx.role, "payouts:cancel") && payoutCancelable(payout),
      csvHref: can(ctx.role, "reports:export") ? `/reports/payout-reconciliation.csv?payout=${encodeURIComponent(id)}` : null,
    },
    { status: items ? 200 : 400, headers: { "Cache-Control": "private, no-store" } },
  );
}

const CANCEL_REFUSALS: Record<string, MessageKey> = {
  payout_already_canceled: "payoutDetail.cancel.error.alreadyCanceled",
  payout_being_sent: "payoutDetail.cancel.error.beingSent",
  payout_not_cancelable: "payoutDetail.cancel.error.notCancelable",
  resource_missing: "payoutDetail.cancel.error.missing",
};

export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "payouts:cancel");
  const t = serverTranslator(resolvePreferences(ctx));
  const id = params.payoutId ?? "";
  if (form.get("intent") !== "cancel") return json({ errors: { form: t("payoutDetail.cancel.error.intent") } }, { status: 400 });
  if (form.get("confirm") !== "yes") return json({ errors: { confirm: t("payoutDetail.cancel.error.confirm") } }, { status: 400 });
  const r = await cancelPayout(ctx.scope, memberActor(ctx, clientOf(request)), id);
  if (!r.ok) {
    const key = CANCEL_REFUSALS[r.error.code];
    return json({ errors: { form: key ? t(key) : r.error.message } }, { status: r.error.status });
  }
  return redirect(`/payouts/${encodeURIComponent(id)}?done=canceled`, 303);
}

/** A date and time that may break between the two (never inside either), so the reconciliation fits at 1280 px. */
function When({ at }: { at: string }) {
  const fmt = useFormat();
  return (
    <span className="when">
      <span className="nowrap">{fmt.date(at)}</span> <span className="nowrap">{fmt.time(at)}</span>
    </span>
  );
}

export default function PayoutPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as { errors: { form?: string; confirm?: string } } | undefined;
  const navigation = useNavigation();
  const [search] = useSearchParams();
  const t = useT();
  const fmt = useFormat();
  const { payout: p, summary: s } = data;
  const cancelErrors = result?.errors ?? {};
  const ties = s.net === p.amount;
  // A stale page link or a hand-edited page size of the items table.
  const itemsError = (["cursor", "limit"] as const).find((f) => data.errors[f]);

  const columns = useMemo<ColumnDef<PayoutItemRow, unknown>[]>(
    () => [
      {
        id: "created",
        header: t("common.created"),
        meta: { stack: "sub" },
        cell: ({ row }) => (
          <>
            <When at={row.original.createdAt} />
            <div className="muted mono cell-id" title={row.original.id}>
              {row.original.id}
            </div>
          </>
        ),
      },
      { id: "category", header: t("payoutDetail.col.type"), meta: { stack: "badge" }, cell: ({ row }) => t(`ledgerCategory.${row.original.category}` as MessageKey) },
      { id: "gross", header: t("payoutDetail.col.gross"), meta: { numeric: true }, cell: ({ row }) => fmt.money(row.original.gross, p.currency) },
      { id: "fee", header: t("payoutDetail.col.fee"), meta: { numeric: true }, cell: ({ row }) => fmt.money(row.original.fee, p.currency) },
      { id: "net", header: t("payoutDetail.col.net"), meta: { numeric: true, stack: "lead" }, cell: ({ row }) => fmt.money(row.original.net, p.currency) },
      {
        id: "source",
        header: t("payoutDetail.col.source"),
        meta: { flex: true, stack: "extra" },
        cell: ({ row }) => {
          const r = row.original;
          const label = (
            <span className="mono" title={r.sourceId}>
              {r.sourceId}
            </span>
          );
          if (r.paymentId && data.canPayments) {
            return (
              <Link to={`/payments/${r.paymentId}`} className="stretch-link">
                {label}
              </Link>
            );
          }
          if (r.sourceType === "payout") {
            return (
              <Link to={`/payouts/${r.sourceId}`} className="stretch-link">
                {label}
              </Link>
            );
          }
          return label;
        },
      },
      {
        id: "card",
        header: t("payments.col.card"),
        meta: { stack: "sub" },
        cell: ({ row }) =>
          row.original.cardBrand ? (
            <span className="nowrap">
              {t(`cardBrand.${row.original.cardBrand}` as MessageKey)}{" "}
              {row.original.cardLast4 ? <span className="mono">{t("card.masked", { last4: fmt.digits(row.original.cardLast4) })}</span> : null}
            </span>
          ) : (
            "–"
          ),
      },
      { id: "terminal", header: t("payments.col.terminal"), meta: { flex: true }, cell: ({ row }) => <CellText>{row.original.terminalName}</CellText> },
      { id: "availableOn", header: t("paymentDetail.availableOn"), cell: ({ row }) => <When at={row.original.availableOn} /> },
    ],
    [t, fmt, p.currency, data.canPayments],
  );

  const steps: { key: MessageKey; at: string | null }[] = [
    { key: "payoutDetail.step.created", at: p.createdAt },
    { key: "payoutDetail.step.sent", at: p.sentAt },
    { key: "payoutDetail.step.paid", at: p.paidAt },
    { key: "payoutDetail.step.failed", at: p.failedAt },
    { key: "payoutDetail.step.canceled", at: p.canceledAt },
  ];

  return (
    <>
      <AmountHeader back={{ to: "/payouts", label: t("payoutDetail.back") }} testId="payout-amount" movement={p} kind="payoutStatus">
        {data.csvHref ? (
          <>
            <a className="btn btn-primary" href={data.csvHref} download data-testid="reconciliation-csv">
              {t("payoutDetail.downloadCsv")}
            </a>
            <a className="btn" href={workbookHref(data.csvHref)} download data-testid="reconciliation-xlsx">
              {t("payoutDetail.downloadXlsx")}
            </a>
          </>
        ) : null}
      </AmountHeader>

      {search.get("done") === "canceled" && p.status === "canceled" ? (
        <p className="success-box" role="status" data-testid="payout-canceled">
          {t("payoutDetail.cancel.done", { amount: fmt.money(p.amount, p.currency) })}
        </p>
      ) : p.status === "canceled" ? (
        <p className="notice" role="status">
          {t("payoutDetail.canceledNotice")}
        </p>
      ) : null}
      {cancelErrors.form ? (
        <p className="error-box" role="alert">
          {cancelErrors.form}
        </p>
      ) : null}

      {p.status === "failed" ? (
        <p className="error-box" role="status">
          {t("payoutDetail.failedNotice", { message: payoutFailureText(t, p.failureCode) || (p.failureMessage ?? "") })}
        </p>
      ) : null}

      <div className="grid grid-2">
        <Card headingId="summary-h" title={t("payoutDetail.summary")}>
          <table className="table compact sum-table">
            <caption className="visually-hidden">{t("payoutDetail.summary")}</caption>
            <tbody>
              {/* Returned payouts and other adjustments only when there are any. */}
              {(
                [
                  [t("payoutDetail.sum.gross", { count: s.chargeCount }), s.chargesGross, true],
                  [t("payoutDetail.sum.refunds", { count: s.refundCount }), s.refunds, true],
                  [t("payoutDetail.sum.fees"), -BigInt(s.fees), true],
                  [t("payoutDetail.sum.returned"), s.returnedPayouts, s.returnedPayouts !== "0"],
                  [t("payoutDetail.sum.other"), s.other, s.other !== "0"],
                ] as const
              )
                .filter(([, , shown]) => shown)
                .map(([label, amount]) => (
                  <tr key={label}>
                    <th scope="row">{label}</th>
                    <td className="num">{fmt.money(amount, p.currency)}</td>
                  </tr>
                ))}
              <tr className="total">
                <th scope="row">{t("payoutDetail.sum.net")}</th>
                <td className="num" data-testid="payout-net">
                  {fmt.money(s.net, p.currency)}
                </td>
              </tr>
            </tbody>
          </table>
          <p className={ties ? "muted" : "error"}>
            {ties ? t("payoutDetail.tiesOut", { count: s.itemCount }) : t("payoutDetail.doesNotTieOut", { amount: fmt.money(BigInt(s.net) - BigInt(p.amount), p.currency) })}
          </p>
        </Card>
        <Card headingId="payout-details-h" title={t("paymentDetail.details")}>
          <DetailList
            items={[
              [t("payouts.col.expectedArrival"), fmt.day(p.expectedArrivalDate)],
              [
                t("payouts.col.account"),
                <>
                  {p.bankName ? fmt.bankName(p.bankName) : ""} <span className="mono">{p.bankAccountMask ? fmt.digits(p.bankAccountMask) : "–"}</span>
                </>,
              ],
              [t("payoutDetail.cutoff"), fmt.dateTime(p.cutoffAt)],
              [t("payoutDetail.trace"), p.traceNumber && <span className="mono">{fmt.digits(p.traceNumber)}</span>],
            ]}
          />
          <ol className="timeline section">
            {steps
              .filter((x) => x.at)
              .map((x) => (
                <li key={x.key}>
                  <div>{t(x.key)}</div>
                  <time className="muted" dateTime={x.at!}>
                    {fmt.dateTime(x.at!)}
                  </time>
                </li>
              ))}
          </ol>
        </Card>
      </div>

      {data.canCancel ? (
        <Card headingId="cancel-h" title={t("payoutDetail.cancel.title")} className="section">
          <IntentForm intent="cancel">
            <p>{t("payoutDetail.cancel.hint", { amount: fmt.money(p.amount, p.currency) })}</p>
            <label className="check">
              <input type="checkbox" name="confirm" value="yes" aria-invalid={cancelErrors.confirm ? true : undefined} aria-describedby={cancelErrors.confirm ? "cancel-confirm-error" : undefined} />{" "}
              {t("payoutDetail.cancel.confirm")}
            </label>
            {cancelErrors.confirm ? (
              <p className="field-error" id="cancel-confirm-error">
                {cancelErrors.confirm}
              </p>
            ) : null}
            <button type="submit" className="btn btn-danger" disabled={navigation.state === "submitting"} data-testid="cancel-payout">
              {t("payoutDetail.cancel.button")}
            </button>
          </IntentForm>
        </Card>
      ) : null}

      <Section headingId="items-h" title={t("payoutDetail.items")} className="section" aside={<span className="muted">{t("payoutDetail.itemsHint", { count: s.itemCount })}</span>}>
        {itemsError ? (
          <p className="error-box" role="alert">
            {listFieldError(t, fmt, itemsError, data.errors[itemsError])}
          </p>
        ) : null}
        <DataTable
          data={data.items}
          columns={columns}
          getRowId={(r) => r.id}
          caption={t("payoutDetail.itemsCaption")}
          next={data.next}
          prev={data.prev}
          empty={<p>{t("payoutDetail.noItems")}</p>}
        />
      </Section>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
