import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { RefundForm } from "~/components/refund-form";
import { RouteErrorBoundary } from "~/components/route-error";
import { pageTitle } from "~/components/console/meta";
import { AmountHeader } from "~/components/console/amount-header";
import { RefundsTable } from "~/components/console/refunds-table";
import { RefundedBadge, StatusBadge } from "~/components/console/status-badge";
import { maskPan } from "~/lib/card";
import type { MessageKey } from "~/lib/i18n/en";
import { isMessageKey } from "~/lib/i18n/translate";
import { useFormat, useT } from "~/lib/i18n/react";
import { can, refundsUncapped } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import { requireFound } from "~/web/detail-loader.server";
import { paymentView, type TimelineEvent } from "~/modules/payments/detail.server";
import { newRefundFormKey, refundFormAction } from "~/web/refunds/refund-form.server";
import { Card, DetailList, num, Table } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "paymentDetail.pageTitle");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx, found: view } = await requireFound(request, "payments:view", { type: "payment", id: params.paymentId }, (ctx, id) => paymentView(ctx.scope, id));
  const canCards = can(ctx.role, "cards:view");
  const refundable = BigInt(view.payment.refundable);
  return json(
    {
      ...view,
      payment: canCards ? view.payment : { ...view.payment, cardBin: null, cardLast4: null, cardExpMonth: null, cardExpYear: null },
      canCards,
      canPayouts: can(ctx.role, "payouts:view"),
      canLinks: can(ctx.role, "links:manage"),
      refund: {
        allowed: can(ctx.role, "refunds:create") && refundable > 0n,
        refundable: refundable.toString(),
        /** Support's per-refund cap; null when the role is not capped. */
        limit: refundsUncapped(ctx.role) ? null : ctx.merchant.supportRefundLimit.toString(),
        /** Idempotency key of this rendering of the form: a double submit refunds once. */
        formKey: newRefundFormKey(),
      },
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

// The refund form (app/components/refund-form.tsx) posts here: refunds:create, CSRF,
// step-up, the role's limit and the form's idempotency key are checked in refundFormAction.
export const action = (args: ActionFunctionArgs) => refundFormAction(args);

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

function TimelineItem({ e, currency }: { e: TimelineEvent; currency: string }) {
  const t = useT();
  const fmt = useFormat();
  let text: React.ReactNode;
  switch (e.kind) {
    case "refund":
      text = (
        <>
          {t("paymentDetail.timeline.refund", { amount: fmt.money(e.amount, currency) })} <StatusBadge kind="refundStatus" status={e.status} />
        </>
      );
      break;
    case "refund_failed":
      text = t("paymentDetail.timeline.refundFailed", { amount: fmt.money(e.amount, currency) });
      break;
    case "payout_included":
      text = (
        <>
          {t(e.refundId ? "paymentDetail.timeline.refundInPayout" : "paymentDetail.timeline.inPayout")}{" "}
          <Link to={`/payouts/${e.payoutId}`} className="mono">
            {e.payoutId}
          </Link>
        </>
      );
      break;
    case "payout_paid":
    case "payout_failed":
      text = (
        <>
          {t(e.kind === "payout_paid" ? "paymentDetail.timeline.payoutPaid" : "paymentDetail.timeline.payoutFailed")}{" "}
          <Link to={`/payouts/${e.payoutId}`} className="mono">
            {e.payoutId}
          </Link>
        </>
      );
      break;
    default:
      text = t(`paymentDetail.timeline.${e.kind}` as MessageKey);
  }
  return (
    <li>
      <div>{text}</div>
      <time dateTime={e.at} className="muted">
        {fmt.dateTime(e.at)}
      </time>
    </li>
  );
}

function Details({ data }: { data: Data }) {
  const t = useT();
  const fmt = useFormat();
  const p = data.payment;
  const rows: [string, React.ReactNode][] = [
    [t("paymentDetail.amount"), fmt.money(p.amount, p.currency)],
    [t("paymentDetail.refunded"), fmt.money(p.amountRefunded, p.currency)],
    [t("paymentDetail.fee"), fmt.money(p.fee, p.currency)],
    [
      t("paymentDetail.net"),
      p.net === null ? (
        <span key="net" className="muted" data-testid="payment-net">
          {t("paymentDetail.netNone")}
        </span>
      ) : (
        <span key="net" data-testid="payment-net">
          {fmt.money(p.net, p.currency)}
        </span>
      ),
    ],
  ];
  if (data.canCards && p.cardLast4) {
    rows.push([
      t("paymentDetail.card"),
      <span key="card">
        {t(`cardBrand.${p.cardBrand}` as MessageKey)} <span className="mono">{fmt.digits(maskPan(p.cardBin ?? "", p.cardLast4))}</span>
      </span>,
    ]);
    if (p.cardExpMonth && p.cardExpYear) {
      rows.push([t("paymentDetail.expiry"), fmt.digits(`${String(p.cardExpMonth).padStart(2, "0")}/${String(p.cardExpYear % 100).padStart(2, "0")}`)]);
    }
    rows.push([t("card.bank"), fmt.bankName(p.issuerBank)]);
  } else {
    rows.push([t("paymentDetail.card"), t(`cardBrand.${p.cardBrand}` as MessageKey)]);
  }
  rows.push([t("card.funding.label"), t(`cardFunding.${p.cardFunding}` as MessageKey)]);
  rows.push([t("payments.col.terminal"), p.terminalKind === "link" ? t("links.title") : p.terminalName]);
  if (p.paymentLinkId) {
    rows.push([
      t("paymentDetail.paymentLink"),
      <span key="link" data-testid="payment-link">
        {data.canLinks ? (
          <Link to={`/links/${encodeURIComponent(p.paymentLinkId)}`} className="mono">
            {p.paymentLinkId}
          </Link>
        ) : (
          <span className="mono">{p.paymentLinkId}</span>
        )}
        {p.paymentLinkDescription ? <> · {p.paymentLinkDescription}</> : null}
      </span>,
    ]);
  }
  rows.push([t("payments.col.customer"), p.customerReference ?? "–"]);
  rows.push([t("payments.col.description"), p.description ?? "–"]);
  rows.push([t("paymentDetail.providerReference"), p.providerReference ? <span className="mono">{p.providerReference}</span> : "–"]);
  if (p.declineCode || p.failureMessage) {
    // The decline in the reader's words when the code is a known one; the provider's message otherwise.
    const declineKey = `decline.${p.declineCode ?? ""}`;
    const reason = isMessageKey(declineKey) ? t(declineKey) : (p.failureMessage ?? "");
    rows.push([t("paymentDetail.declineReason"), `${reason}${p.declineCode ? ` (${p.declineCode})` : ""}`]);
  }
  if (p.createdByName) rows.push([t("paymentDetail.takenBy"), p.createdByName]);
  return <DetailList items={rows} />;
}

export default function PaymentPage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  const p = data.payment;
  return (
    <>
      <AmountHeader
        back={{ to: "/payments", label: t("paymentDetail.back") }}
        testId="payment-amount"
        movement={p}
        kind="paymentStatus"
        badges={<RefundedBadge amount={p.amount} refunded={p.amountRefunded} />}
      />

      <div className="grid grid-2">
        <Card headingId="details-h" title={t("paymentDetail.details")}>
          <Details data={data} />
        </Card>
        <Card headingId="timeline-h" title={t("paymentDetail.timeline.title")}>
          <ol className="timeline">
            {data.timeline.map((e, i) => (
              <TimelineItem key={i} e={e} currency={p.currency} />
            ))}
          </ol>
        </Card>
      </div>

      <Card
        headingId="refunds-h"
        title={t("paymentDetail.refunds")}
        className="section"
        id="refunds"
        aside={p.status === "captured" ? <span className="muted">{t("paymentDetail.refundable", { amount: fmt.money(data.refund.refundable, p.currency) })}</span> : null}
      >
        {data.refunds.length ? (
          <RefundsTable
            caption={t("paymentDetail.refunds")}
            refunds={data.refunds}
            currency={() => p.currency}
            more={{
              columns: [t("refunds.col.reason"), t("refunds.col.issuedBy")],
              cells: (r) => (
                <>
                  <td>
                    {t(`refundReason.${r.reason}` as MessageKey)}
                    {r.note ? <div className="muted">{r.note}</div> : null}
                  </td>
                  <td>{r.createdByName ?? "–"}</td>
                </>
              ),
            }}
          />
        ) : (
          <p className="muted">{t("paymentDetail.noRefunds")}</p>
        )}
        {data.refund.allowed ? (
          <div className="section" id="refund-form">
            <PaymentRefundForm data={data} />
          </div>
        ) : null}
      </Card>

      <Card headingId="ledger-h" title={t("paymentDetail.ledger")} className="section">
        {data.ledger.length ? (
          <Table
            caption={t("paymentDetail.ledger")}
            hiddenCaption
            className="compact ledger-table"
            columns={[t("common.date"), t("paymentDetail.category"), num(t("paymentDetail.gross")), num(t("paymentDetail.fee")), num(t("paymentDetail.net")), t("paymentDetail.availableOn"), t("paymentDetail.payout"), t("paymentDetail.postings")]}
          >
            <tbody>
              {data.ledger.map((l) => (
                <tr key={l.id}>
                  <td>
                    {fmt.dateTime(l.createdAt)}
                    <div className="muted mono cell-id" title={l.id}>
                      {l.id}
                    </div>
                  </td>
                  <td>{t(`ledgerCategory.${l.category}` as MessageKey)}</td>
                  <td className="num">{fmt.money(l.gross, p.currency)}</td>
                  <td className="num">{fmt.money(l.fee, p.currency)}</td>
                  <td className="num">{fmt.money(l.net, p.currency)}</td>
                  <td>{fmt.dateTime(l.availableOn)}</td>
                  <td>
                    {l.payoutId ? (
                      data.canPayouts ? (
                        <Link to={`/payouts/${l.payoutId}`} className="mono cell-id" title={l.payoutId}>
                          {l.payoutId}
                        </Link>
                      ) : (
                        <span className="mono cell-id" title={l.payoutId}>
                          {l.payoutId}
                        </span>
                      )
                    ) : (
                      <span className="muted">{t("paymentDetail.notPaidOut")}</span>
                    )}
                  </td>
                  <td>
                    <ul className="postings">
                      {l.postings.map((x, i) => (
                        <li key={i}>
                          {t(`ledgerAccount.${x.account}` as MessageKey)} <span className="num">{fmt.money(x.amount, p.currency, { signDisplay: "always" })}</span>
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : (
          <p className="muted">{t("paymentDetail.noLedger")}</p>
        )}
      </Card>
    </>
  );
}

/** The payments developer's form (app/components/refund-form.tsx), posting to this route's action. */
function PaymentRefundForm({ data }: { data: Data }) {
  return (
    <RefundForm
      // A new key per page load: after a refund the form starts empty again.
      key={data.refund.formKey}
      paymentId={data.payment.id}
      currency={data.payment.currency}
      refundable={data.refund.refundable}
      limit={data.refund.limit}
      formKey={data.refund.formKey}
    />
  );
}

export { RouteErrorBoundary as ErrorBoundary };
