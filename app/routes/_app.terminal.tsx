import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { useEffect, useId, useState } from "react";
import { StatusBadge } from "~/components/console/status-badge";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { detectCard, formatPanGroups, luhnValid, normalizePan } from "~/lib/card";
import type { MessageKey } from "~/lib/i18n/en";
import { isMessageKey } from "~/lib/i18n/translate";
import { useFormat, useT } from "~/lib/i18n/react";
import { formatMoney, isCurrencyCode, parseAmount } from "~/lib/money";
import { can } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import { notFound, requireAction, requireContext } from "~/web/guard.server";
import {
  chargeFromTerminalForm,
  chargeableTerminals,
  currentTerminalReceipt,
  newTerminalFormKey,
  recentTerminalPayments,
  sandboxHints,
  type RecentTerminalPayment,
  type TerminalChargeResult,
} from "~/modules/payments/virtual-terminal.server";
import { clientOf } from "~/web/request.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "vt.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "terminal:charge");
  const receiptId = new URL(request.url).searchParams.get("receipt");
  // A pending receipt (and a pending payment in the list) asks the provider again (never charges
  // again) each time it is loaded past its grace period: the page polls while anything is pending.
  const now = new Date();
  const receipt = receiptId ? await currentTerminalReceipt(ctx.scope, receiptId, now) : null;
  if (receiptId && !receipt) return notFound(ctx, request, { type: "payment", id: receiptId });
  const [terminals, testCards, recent] = await Promise.all([
    chargeableTerminals(ctx.scope),
    sandboxHints(ctx.scope),
    recentTerminalPayments(ctx.scope, ctx.user.id, RECENT_PAYMENTS, now),
  ]);
  return json(
    {
      currency: ctx.merchant.currency,
      terminals,
      // One key per rendering of the form: what makes a double submit charge once.
      formKey: newTerminalFormKey(),
      receipt,
      recent,
      testCards,
      canViewPayments: can(ctx.role, "payments:view"),
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "terminal:charge");
  const r = await chargeFromTerminalForm(ctx, form, clientOf(request));
  if (r.ok) return redirect(`/terminal?receipt=${encodeURIComponent(r.paymentId)}`, 303);
  return json(r, { status: r.status, headers: { "Cache-Control": "no-store" } });
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

/** How often a page with a payment still waiting for the provider asks again (with scripts / without). */
const POLL_MS = 3_000;
/** How many of the member's own terminal payments the page lists (here, not in the .server module: the browser needs it too). */
const RECENT_PAYMENTS = 10;
const NOSCRIPT_REFRESH_SECONDS = 5;

/**
 * The page's data as it is now: while the receipt or a recent payment is pending, the
 * page's own loader is fetched again every few seconds (in a fetcher, so nothing typed in
 * the form is disturbed and no new form key is taken); it stops once everything is final.
 */
function useLiveData(data: Data): Pick<Data, "receipt" | "recent"> {
  const fetcher = useFetcher<typeof loader>();
  const location = useLocation();
  const fresh = fetcher.data && "recent" in fetcher.data ? fetcher.data : null;
  // A fetch answered for another receipt (the user moved on) is not this page's.
  const current = fresh && (fresh.receipt?.id ?? null) === (data.receipt?.id ?? null) ? fresh : null;
  const receipt = current ? current.receipt : data.receipt;
  const recent = current ? current.recent : data.recent;
  const waiting = receipt?.status === "pending" || recent.some((p) => p.status === "pending");
  const href = `${location.pathname}${location.search}`;
  const { load, state } = fetcher;
  useEffect(() => {
    if (!waiting || state !== "idle") return;
    const timer = window.setTimeout(() => {
      if (document.visibilityState !== "hidden") load(href);
    }, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [waiting, state, href, load, current]);
  return { receipt, recent };
}

function RecentPayments({ list, currency }: { list: RecentTerminalPayment[]; currency: string }) {
  const t = useT();
  const fmt = useFormat();
  const showTerminal = new Set(list.map((p) => p.terminalName)).size > 1;
  return (
    <section className="card vt-recent stackable" aria-labelledby="vt-recent-h" data-testid="vt-recent">
      <h2 id="vt-recent-h">{t("vt.recent.title")}</h2>
      {list.length === 0 ? (
        <p className="muted">{t("vt.recent.empty")}</p>
      ) : (
        <>
          <p className="hint">{t("vt.recent.hint", { max: RECENT_PAYMENTS })}</p>
          <div className="table-wrap">
            <table className="table compact">
              <caption className="visually-hidden">{t("vt.recent.title")}</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    {t("payments.col.amount")}
                  </th>
                  <th scope="col">{t("payments.col.status")}</th>
                  <th scope="col">{t("payments.col.created")}</th>
                  <th scope="col">{t("payments.col.card")}</th>
                  {showTerminal ? <th scope="col">{t("payments.col.terminal")}</th> : null}
                </tr>
              </thead>
              <tbody aria-live="polite">
                {list.map((p) => (
                  <tr key={p.id} data-payment-id={p.id} data-status={p.status}>
                    <td className="num" data-stack="lead">
                      <Link className="row-link" to={`/terminal?receipt=${encodeURIComponent(p.id)}`} aria-label={t("vt.recent.open", { amount: fmt.money(p.amount, p.currency || currency) })}>
                        {fmt.money(p.amount, p.currency || currency)}
                      </Link>
                    </td>
                    <td data-stack="badge">
                      <StatusBadge kind="paymentStatus" status={p.status} />
                    </td>
                    <td data-stack="sub">{fmt.dateTime(p.createdAt)}</td>
                    <td data-stack="sub">
                      <span className="mono" dir="ltr">
                        {p.maskedCard ? fmt.digits(p.maskedCard) : "–"}
                      </span>
                    </td>
                    {showTerminal ? <td data-stack="extra">{p.terminalName ?? "–"}</td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
type Failure = Extract<TerminalChargeResult, { ok: false }>;

function Receipt({ r, canViewPayments }: { r: NonNullable<Data["receipt"]>; canViewPayments: boolean }) {
  const t = useT();
  const fmt = useFormat();
  const reasonKey = r.declineCode ? `decline.${r.declineCode}` : null;
  const reason = reasonKey && isMessageKey(reasonKey) ? t(reasonKey) : r.failureMessage;
  const ok = r.status === "captured" || r.status === "authorized";
  return (
    <section className={`card receipt receipt-${r.status}`} aria-labelledby="receipt-h" data-testid="receipt">
      <h2 id="receipt-h" role="status">
        {t(`vt.receipt.title.${r.status}` as MessageKey)}
      </h2>
      <p className="kpi-value num">{fmt.money(r.amount, r.currency)}</p>
      {!ok && reason ? (
        <p className={r.status === "pending" ? "notice" : "error-box"}>
          <strong>{t("vt.receipt.why")}</strong> {reason}
        </p>
      ) : null}
      {r.status === "pending" ? (
        <>
          <p className="notice">
            {t("vt.receipt.pendingHint")} <Link to={`/terminal?receipt=${encodeURIComponent(r.id)}`}>{t("vt.receipt.checkAgain")}</Link>
          </p>
          <p className="hint" data-testid="receipt-refreshing">
            {t("vt.receipt.refreshing")}
          </p>
          {/* Without scripts the page reloads itself until the answer is in. */}
          <noscript>
            <meta httpEquiv="refresh" content={String(NOSCRIPT_REFRESH_SECONDS)} />
          </noscript>
        </>
      ) : null}
      <dl className="dl">
        <dt>{t("vt.receipt.card")}</dt>
        <dd>
          {t(`cardBrand.${r.cardBrand}` as MessageKey)} <span className="mono">{r.maskedCard ? fmt.digits(r.maskedCard) : "–"}</span>
        </dd>
        <dt>{t("card.bank")}</dt>
        <dd>{fmt.bankName(r.issuerBank)}</dd>
        <dt>{t("card.funding.label")}</dt>
        <dd>{t(`cardFunding.${r.cardFunding}` as MessageKey)}</dd>
        <dt>{t("vt.terminal")}</dt>
        <dd>{r.terminalName ?? "–"}</dd>
        {r.description ? (
          <>
            <dt>{t("vt.description")}</dt>
            <dd>{r.description}</dd>
          </>
        ) : null}
        {r.customerReference ? (
          <>
            <dt>{t("vt.customerReference")}</dt>
            <dd>{r.customerReference}</dd>
          </>
        ) : null}
        <dt>{t("vt.receipt.paymentId")}</dt>
        <dd className="mono">{r.id}</dd>
        <dt>{t("vt.receipt.when")}</dt>
        <dd>{fmt.dateTime(r.createdAt)}</dd>
      </dl>
      <p className="form-actions">
        <Link className="btn btn-primary" to="/terminal">
          {t("vt.receipt.newPayment")}
        </Link>{" "}
        {canViewPayments ? (
          <Link className="btn" to={`/payments/${encodeURIComponent(r.id)}`}>
            {t("vt.receipt.viewPayment")}
          </Link>
        ) : null}
      </p>
    </section>
  );
}

function amountPreview(input: string, currency: string, locale: string): string | null {
  if (!isCurrencyCode(currency) || input.trim() === "") return null;
  const parsed = parseAmount(input, currency);
  if (!parsed.ok) return null;
  // Rial is what is charged; toman is how people say it, a factor of ten that is easy to get wrong.
  return currency === "IRR"
    ? formatMoney(parsed.minor, currency, { locale, display: "toman" })
    : formatMoney(parsed.minor, currency, { locale });
}

function ChargeForm({ data, failure }: { data: Data; failure: Failure | undefined }) {
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const values = failure?.values;
  const errors = failure?.errors ?? {};
  const [amount, setAmount] = useState(values?.amount ?? "");
  const [pan, setPan] = useState("");
  const digits = normalizePan(pan).replace(/[^0-9]/g, "");
  const info = detectCard(digits);
  const bank = digits.length >= 6 ? fmt.cardBank(digits) : null;
  const complete = digits.length >= 12 && (info.brand === "unknown" ? digits.length >= 13 : info.lengths.includes(digits.length));
  const luhn = complete ? luhnValid(digits) : null;
  const preview = amountPreview(amount, data.currency, fmt.locale);
  const key = failure?.freshKey ?? data.formKey;
  const described = (field: string, hint?: boolean) =>
    [hint ? `${id}-${field}-hint` : null, errors[field as keyof typeof errors] ? `${id}-${field}-error` : null].filter(Boolean).join(" ") || undefined;
  const err = (field: keyof Failure["errors"]) =>
    errors[field] ? (
      <p className="field-error" id={`${id}-${field}-error`} role="alert">
        {errors[field]}
      </p>
    ) : null;

  if (!data.terminals.length) return <p className="notice">{t("vt.noTerminal")}</p>;

  return (
    <Form method="post" className="card vt-form" aria-labelledby="vt-form-h" autoComplete="off">
      <h2 id="vt-form-h">{t("vt.formTitle")}</h2>
      {errors.form ? (
        <p className="error-box" role="alert">
          {errors.form}
        </p>
      ) : null}
      <CsrfInput />
      <input type="hidden" name="key" value={key} />
      {data.terminals.length > 1 ? (
        <div className="field">
          <label htmlFor={`${id}-terminal`}>{t("vt.terminal")}</label>
          <select id={`${id}-terminal`} name="terminal" defaultValue={values?.terminal || data.terminals[0]?.id} aria-invalid={errors.terminal ? true : undefined} aria-describedby={described("terminal")}>
            {data.terminals.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
          {err("terminal")}
        </div>
      ) : (
        <>
          <input type="hidden" name="terminal" value={data.terminals[0]!.id} />
          {err("terminal")}
        </>
      )}
      <div className="field">
        <label htmlFor={`${id}-amount`}>{t("vt.amount", { currency: data.currency === "IRR" ? t("money.unit.rial") : data.currency })}</label>
        <input
          id={`${id}-amount`}
          name="amount"
          inputMode="decimal"
          required
          maxLength={40}
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          aria-invalid={errors.amount ? true : undefined}
          aria-describedby={described("amount", true)}
        />
        <p className="hint" id={`${id}-amount-hint`} aria-live="polite">
          {preview ? t("vt.amountPreview", { amount: preview }) : t("money.amountHint")}
        </p>
        {err("amount")}
      </div>
      <div className="field">
        <label htmlFor={`${id}-pan`}>{t("card.number")}</label>
        <input
          id={`${id}-pan`}
          name="cardNumber"
          inputMode="numeric"
          required
          autoComplete="off"
          maxLength={40}
          dir="ltr"
          className="mono"
          value={pan}
          onChange={(e) => setPan(formatPanGroups(e.target.value))}
          aria-invalid={errors.cardNumber || luhn === false ? true : undefined}
          aria-describedby={described("cardNumber", true)}
        />
        <p className="hint" id={`${id}-cardNumber-hint`} aria-live="polite">
          {digits.length === 0 ? (
            t("vt.cardTypes")
          ) : (
            <>
              {info.brand !== "unknown" ? t(`cardBrand.${info.brand}` as MessageKey) : null}
              {bank ? ` · ${bank}` : null}
              {luhn === true ? <span className="ok"> · {t("vt.luhnOk")}</span> : null}
              {luhn === false ? <span className="field-error"> · {t("vt.luhnBad")}</span> : null}
            </>
          )}
        </p>
        {err("cardNumber")}
      </div>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-expiry`}>{t("card.expiry")}</label>
          <input
            id={`${id}-expiry`}
            name="expiry"
            inputMode="numeric"
            required
            autoComplete="off"
            placeholder={t("vt.expiryPlaceholder")}
            maxLength={7}
            dir="ltr"
            defaultValue={values?.expiry ?? ""}
            aria-invalid={errors.expiry ? true : undefined}
            aria-describedby={described("expiry")}
          />
          {err("expiry")}
        </div>
        <div className="field">
          <label htmlFor={`${id}-cvc`}>{t("card.cvc")}</label>
          <input
            id={`${id}-cvc`}
            name="cvc"
            inputMode="numeric"
            required
            autoComplete="off"
            type="password"
            maxLength={info.cvcLength}
            dir="ltr"
            aria-invalid={errors.cvc ? true : undefined}
            aria-describedby={described("cvc")}
          />
          {err("cvc")}
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>
          {t("vt.description")} <span className="muted">({t("common.optional")})</span>
        </label>
        <input id={`${id}-description`} name="description" maxLength={500} defaultValue={values?.description ?? ""} aria-invalid={errors.description ? true : undefined} aria-describedby={described("description")} />
        {err("description")}
      </div>
      <div className="field">
        <label htmlFor={`${id}-customerReference`}>
          {t("vt.customerReference")} <span className="muted">({t("common.optional")})</span>
        </label>
        <input
          id={`${id}-customerReference`}
          name="customerReference"
          maxLength={200}
          defaultValue={values?.customerReference ?? ""}
          aria-invalid={errors.customerReference ? true : undefined}
          aria-describedby={described("customerReference", true)}
        />
        <p className="hint" id={`${id}-customerReference-hint`}>
          {t("vt.customerReferenceHint")}
        </p>
        {err("customerReference")}
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? t("vt.submitting") : t("vt.submit")}
      </button>
      <p className="hint">{t("vt.securityNote")}</p>
    </Form>
  );
}

function TestCards({ cards }: { cards: NonNullable<Data["testCards"]> }) {
  const t = useT();
  const outcome = (b: (typeof cards)[number]["behaviour"]) => {
    if (b.kind === "decline") {
      const k = `decline.${b.code}`;
      return `${t("vt.outcome.decline")}: ${isMessageKey(k) ? t(k) : b.code}`;
    }
    // Only "slow" has a number in it; the others ignore the param.
    return t(`vt.outcome.${b.kind}` as MessageKey, { seconds: 2 });
  };
  return (
    <details className="card test-cards">
      <summary>{t("vt.testCards.title")}</summary>
      <p className="hint">{t("vt.testCards.hint")}</p>
      <div className="table-wrap">
        <table className="table compact">
          <caption className="visually-hidden">{t("vt.testCards.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("card.number")}</th>
              <th scope="col">{t("card.brand.label")}</th>
              <th scope="col">{t("card.funding.label")}</th>
              <th scope="col">{t("vt.testCards.result")}</th>
            </tr>
          </thead>
          <tbody>
            {cards.map((c) => (
              <tr key={c.number}>
                <td className="mono" dir="ltr">
                  {formatPanGroups(c.number)}
                </td>
                <td>{t(`cardBrand.${c.brand}` as MessageKey)}</td>
                <td>{t(`cardFunding.${c.funding}` as MessageKey)}</td>
                <td>{outcome(c.behaviour)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

export default function VirtualTerminalPage() {
  const data = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>() as Failure | undefined;
  const t = useT();
  const live = useLiveData(data);
  return (
    <>
      <div className="page-header">
        <div>
          <h1>{t("vt.title")}</h1>
          <p>{t("vt.subtitle", { first: 6, last: 4 })}</p>
        </div>
      </div>
      {live.receipt ? (
        <Receipt r={live.receipt} canViewPayments={data.canViewPayments} />
      ) : (
        <div className="grid grid-2" style={{ alignItems: "start" }}>
          {/* Kept mounted across a refused attempt (the card number stays typed); remounted only
              when the server hands out a fresh form after a used or expired one. */}
          <ChargeForm key={failure?.freshKey ?? "charge-form"} data={data} failure={failure} />
          {data.testCards ? <TestCards cards={data.testCards} /> : null}
        </div>
      )}
      <RecentPayments list={live.recent} currency={data.currency} />
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
