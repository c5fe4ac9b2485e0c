import { clientOf } from "~/web/request.server";
import { memberActor } from "~/lib/vocabulary";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { StatusBadge } from "~/components/console/status-badge";
import { maskPan } from "~/lib/card";
import type { MessageKey } from "~/lib/i18n/en";
import { useFormat, useT } from "~/lib/i18n/react";
import consoleStyles from "~/styles/console.css";
import { notFound, requireAction } from "~/web/guard.server";
import { requireFound } from "~/web/detail-loader.server";
import { publicOrigin } from "~/web/request.server";
import { consoleLink } from "~/web/payment-links/console.server";
import { checkoutSecret } from "~/modules/payments/receipts.server";
import { deactivatePaymentLink, getPaymentLink, linkPayments } from "~/modules/payment-links/links.server";
import { Card, DetailHeader, DetailList, Table } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "links.detailTitle");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { ctx, found: link } = await requireFound(request, "links:manage", { type: "payment_link", id: params.linkId }, (ctx, id) => getPaymentLink(ctx.scope, id));
  const [rows, secret] = await Promise.all([linkPayments(ctx.scope, link.id), checkoutSecret(ctx.scope.merchantId)]);
  return json(
    {
      url: `${publicOrigin(request)}/pay/${link.id}`,
      created: new URL(request.url).searchParams.has("created"),
      secret,
      link: { ...consoleLink(link), customerFields: link.customerFields, redirectUrl: link.redirectUrl, attempts: link.stats.attempts },
      payments: rows.map((p) => ({
        id: p.id,
        status: p.status,
        amount: p.amount.toString(),
        card: p.cardBin && p.cardLast4 ? maskPan(p.cardBin, p.cardLast4) : null,
        customer: p.customerReference,
        createdAt: p.createdAt.toISOString(),
      })),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { ctx } = await requireAction(request, "links:manage");
  const r = await deactivatePaymentLink(ctx.scope, memberActor(ctx, clientOf(request)), params.linkId ?? "");
  if (!r.ok) return notFound(ctx, request, { type: "payment_link", id: params.linkId ?? "" });
  return redirect(`/links/${r.link.id}`, 303);
}

function CopyButton({ text }: { text: string }) {
  const t = useT();
  const [ready, setReady] = useState(false);
  const [copied, setCopied] = useState(false);
  useEffect(() => setReady(typeof navigator !== "undefined" && !!navigator.clipboard), []);
  if (!ready) return null;
  return (
    <button
      type="button"
      className="btn"
      onClick={() => {
        void navigator.clipboard.writeText(text).then(() => setCopied(true));
      }}
    >
      {copied ? t("links.copied") : t("links.copy")}
    </button>
  );
}

export default function LinkPage() {
  const { link, url, payments, created, secret } = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  const navigation = useNavigation();
  const share = encodeURIComponent(`${link.description} ${url}`);
  return (
    <>
      <DetailHeader
        back={{ to: "/links", label: t("links.title") }}
        title={link.description}
        intro={
          <>
            <span className={`badge link-state-${link.state}`}>{t(`links.state.${link.state}` as MessageKey)}</span>{" "}
            {link.amount ? fmt.money(link.amount) : t("links.range", { min: fmt.money(link.minAmount ?? "0"), max: fmt.money(link.maxAmount ?? "0") })}
          </>
        }
      />
      {created ? (
        <p className="notice" role="status">
          {t("links.createdNotice")}
        </p>
      ) : null}
      <div className="link-share-grid">
        <Card headingId="share-h" title={t("links.share")}>
          <p className="link-url">
            <a href={url} className="mono" dir="ltr" data-testid="link-url">
              {url}
            </a>
          </p>
          <p className="form-actions">
            <CopyButton text={url} />
            <a className="btn" href={`https://wa.me/?text=${share}`} target="_blank" rel="noreferrer noopener">
              {t("links.shareWhatsapp")}
            </a>
            <a className="btn" href={`https://t.me/share/url?url=${encodeURIComponent(url)}&text=${encodeURIComponent(link.description)}`} target="_blank" rel="noreferrer noopener">
              {t("links.shareTelegram")}
            </a>
            <a className="btn" href={`mailto:?subject=${encodeURIComponent(link.description)}&body=${share}`}>
              {t("links.shareEmail")}
            </a>
          </p>
        </Card>
        <Card headingId="qr-h" title={t("links.qr")} className="link-qr">
          <img src={`/pay/${link.id}/qr.svg`} width={200} height={200} alt={t("links.qrAlt", { url })} />
          <p className="form-actions">
            <a className="btn" href={`/pay/${link.id}/qr.svg`} download={`${link.id}.svg`}>
              {t("links.downloadSvg")}
            </a>
            <a className="btn" href={`/pay/${link.id}/qr.png`} download={`${link.id}.png`}>
              {t("links.downloadPng")}
            </a>
          </p>
        </Card>
      </div>
      <Card headingId="details-h" title={t("links.details")} className="section">
        <DetailList
          items={[
            [t("links.useLabel"), link.reusable ? t("links.use.reusable") : t("links.use.single")],
            [t("links.askFor"), link.customerFields.length ? link.customerFields.map((f) => t(`links.field.${f}` as MessageKey)).join(`${t("links.listSeparator")} `) : t("links.askNothing")],
            [t("links.col.expires"), link.expiresAt ? fmt.dateTime(link.expiresAt) : t("links.noExpiry")],
            [
              t("links.redirectUrl"),
              <span key="redirect" className="mono" dir="ltr">
                {link.redirectUrl ?? "–"}
              </span>,
            ],
            [t("links.col.payments"), t("links.paidSummary", { count: link.paidCount, total: fmt.money(link.paidTotal), attempts: fmt.number(link.attempts) })],
            [
              t("links.signingSecret"),
              <details key="secret">
                <summary>{t("links.signingSecretShow")}</summary>
                <code className="mono" dir="ltr">
                  {secret}
                </code>
                <p className="hint">{t("links.signingSecretHint")}</p>
              </details>,
            ],
          ]}
        />
        {link.state !== "deactivated" ? (
          <Form method="post">
            <CsrfInput />
            <button type="submit" className="btn btn-danger" disabled={navigation.state === "submitting"}>
              {t("links.deactivate")}
            </button>
          </Form>
        ) : null}
      </Card>
      <Card headingId="payments-h" title={t("links.paymentsTitle")} className="section">
        {payments.length === 0 ? (
          <p className="empty-state">{t("links.noPayments")}</p>
        ) : (
          <Table columns={[t("links.col.when"), t("common.status"), { label: t("links.col.amount"), className: "num" }, t("links.col.card"), t("links.col.customer")]}>
            <tbody>
              {payments.map((p) => (
                <tr key={p.id}>
                  <td className="nowrap">
                    <Link to={`/payments/${p.id}`}>{fmt.dateTime(p.createdAt)}</Link>
                  </td>
                  <td>
                    <StatusBadge kind="paymentStatus" status={p.status} />
                  </td>
                  <td className="num nowrap">{fmt.money(p.amount)}</td>
                  <td className="mono nowrap">{p.card ? fmt.digits(p.card) : "–"}</td>
                  <td>{p.customer ?? "–"}</td>
                </tr>
              ))}
            </tbody>
        </Table>
        )}
      </Card>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
