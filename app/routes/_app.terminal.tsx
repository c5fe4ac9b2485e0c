import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useLocation, useNavigation, useSubmit } from "@remix-run/react";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { StatusBadge } from "~/components/console/status-badge";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { detectCard, formatPanGroups, impossiblePan, isExpired, luhnValid, normalizePan, parseExpiry } from "~/lib/card";
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
  terminalReturn,
  type RecentTerminalPayment,
  type TerminalChargeResult,
} from "~/modules/payments/virtual-terminal.server";
import { clientOf } from "~/web/request.server";
import { PageHeader } from "~/components/page";

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
  const [terminals, testCards, recent, returned] = await Promise.all([
    chargeableTerminals(ctx.scope),
    sandboxHints(ctx.scope),
    recentTerminalPayments(ctx.scope, ctx.user.id, RECENT_PAYMENTS, now),
    receiptId ? null : terminalReturn(ctx, new URL(request.url).searchParams),
  ]);
  return json(
    {
      currency: ctx.merchant.currency,
      terminals,
      // One key per rendering of the form: what makes a double submit charge once.
      formKey: newTerminalFormKey(),
      receipt,
      recent,
      // Back from the provider's card form (no JavaScript): a card to confirm, or why it was refused.
      returned,
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

function useHydrated(): boolean {
  const [h, setH] = useState(false);
  useEffect(() => setH(true), []);
  return h;
}

/** The tokenization endpoint's refusal, on the field it is about. */
function tokenErrorField(code: string): "cardNumber" | "expiry" | "cvc" {
  if (code.includes("expir")) return "expiry";
  if (code.includes("cvc")) return "cvc";
  return "cardNumber";
}

/**
 * The charge form. The card fields never reach the console: with JavaScript the browser
 * sends them to the provider's tokenization endpoint and posts only the token here (the
 * card inputs have no names, so nothing else can send them); without JavaScript the form
 * itself posts to the provider's card form, which sends the browser back with a token and
 * the form's other fields (md_*), and the page asks to confirm the charge.
 */
function ChargeForm({ data, failure }: { data: Data; failure: Failure | undefined }) {
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  const hydrated = useHydrated();
  const submit = useSubmit();
  const navigation = useNavigation();
  const [tokenizing, setTokenizing] = useState(false);
  const [clientErrors, setClientErrors] = useState<Partial<Record<"cardNumber" | "expiry" | "cvc" | "form", string>>>({});
  const busy = navigation.state === "submitting" || tokenizing;
  const values = failure?.values;
  const errors: Partial<Record<keyof Failure["errors"], string>> = { ...(failure?.errors ?? {}), ...clientErrors };
  const [amount, setAmount] = useState(values?.amount ?? "");
  const [pan, setPan] = useState("");
  const expRef = useRef<HTMLInputElement>(null);
  const cvcRef = useRef<HTMLInputElement>(null);
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

  /** The same checks as the provider's, in the reader's words, before the card leaves the page. */
  function cardProblems(): typeof clientErrors {
    const out: typeof clientErrors = {};
    if (digits === "") out.cardNumber = t("vt.error.cardNumber.empty");
    else if (digits.length < 12 || digits.length > 19) out.cardNumber = t("vt.error.cardNumber.length", { min: 12, max: 19 });
    else if (impossiblePan(digits) === "brand_length") out.cardNumber = t("vt.error.cardNumber.brandLength", { brand: t(`cardBrand.${info.brand}` as MessageKey) });
    else if (impossiblePan(digits)) out.cardNumber = t("vt.error.cardNumber.noIssuer");
    else if (!luhnValid(digits)) out.cardNumber = t("vt.error.cardNumber.luhn");
    const exp = parseExpiry(expRef.current?.value ?? "");
    if (!exp) out.expiry = t("vt.error.expiry.format");
    else if (isExpired(exp, new Date())) out.expiry = t("vt.error.expiry.expired");
    const cvc = normalizePan(cvcRef.current?.value ?? "");
    if (!/^[0-9]+$/.test(cvc) || !info.cvcLengths.includes(cvc.length)) {
      out.cvc = info.cvcLengths.length > 1 ? t("vt.error.cvc34") : info.cvcLengths[0] === 4 ? t("vt.error.cvc4") : t("vt.error.cvc3");
    }
    return out;
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const problems = cardProblems();
    setClientErrors(problems);
    if (Object.keys(problems).length) return;
    const exp = parseExpiry(expRef.current?.value ?? "")!;
    // The console's own fields, named as the console reads them (md_* is what the provider echoes).
    const fields = new FormData(e.currentTarget);
    const body = new FormData();
    for (const [k, v] of fields) if (k !== "return_url") body.set(k.startsWith("md_") ? k.slice(3) : k, v);
    setTokenizing(true);
    try {
      const res = await fetch("/sandbox/v1/tokens", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ number: digits, exp_month: exp.month, exp_year: exp.year, cvc: normalizePan(cvcRef.current?.value ?? "") }),
        credentials: "omit",
      });
      const answer = (await res.json()) as { id?: string; error?: { code?: string } };
      if (res.status !== 201 || !answer.id) {
        const code = answer.error?.code ?? "";
        const field = tokenErrorField(code);
        setClientErrors({ [field]: field === "expiry" ? t("vt.error.expiry.expired") : field === "cvc" ? t("vt.error.cvc34") : t("vt.error.cardNumber.luhn") });
        setTokenizing(false);
        return;
      }
      body.set("token", answer.id);
      // Only the token leaves for the console; the CVV2 is cleared from the page.
      if (cvcRef.current) cvcRef.current.value = "";
      setTokenizing(false);
      submit(body, { method: "post", action: "/terminal" });
    } catch {
      setClientErrors({ form: t("vt.error.provider") });
      setTokenizing(false);
    }
  }

  if (!data.terminals.length) return <p className="notice">{t("vt.noTerminal")}</p>;

  return (
    <form
      method="post"
      action="/sandbox/v1/token-forms"
      onSubmit={hydrated ? onSubmit : undefined}
      className="card vt-form"
      aria-labelledby="vt-form-h"
      autoComplete="off"
      data-testid="vt-form"
    >
      <h2 id="vt-form-h">{t("vt.formTitle")}</h2>
      {errors.form ? (
        <p className="error-box" role="alert">
          {errors.form}
        </p>
      ) : null}
      {/* The anti-forgery token goes to the console only (with JavaScript); never to the provider. */}
      {hydrated ? <CsrfInput /> : null}
      <input type="hidden" name="return_url" value="/terminal" />
      <input type="hidden" name="md_key" value={key} />
      {data.terminals.length > 1 ? (
        <div className="field">
          <label htmlFor={`${id}-terminal`}>{t("vt.terminal")}</label>
          <select id={`${id}-terminal`} name="md_terminal" defaultValue={values?.terminal || data.terminals[0]?.id} aria-invalid={errors.terminal ? true : undefined} aria-describedby={described("terminal")}>
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
          <input type="hidden" name="md_terminal" value={data.terminals[0]!.id} />
          {err("terminal")}
        </>
      )}
      <div className="field">
        <label htmlFor={`${id}-amount`}>{t("vt.amount", { currency: data.currency === "IRR" ? t("money.unit.rial") : data.currency })}</label>
        <input
          id={`${id}-amount`}
          name="md_amount"
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
          name={hydrated ? undefined : "number"}
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
            ref={expRef}
            name={hydrated ? undefined : "exp"}
            inputMode="numeric"
            required
            autoComplete="off"
            placeholder={t("vt.expiryPlaceholder")}
            maxLength={7}
            dir="ltr"
            aria-invalid={errors.expiry ? true : undefined}
            aria-describedby={described("expiry")}
          />
          {err("expiry")}
        </div>
        <div className="field">
          <label htmlFor={`${id}-cvc`}>{t("card.cvc")}</label>
          <input
            id={`${id}-cvc`}
            ref={cvcRef}
            name={hydrated ? undefined : "cvc"}
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
        <input id={`${id}-description`} name="md_description" maxLength={500} defaultValue={values?.description ?? ""} aria-invalid={errors.description ? true : undefined} aria-describedby={described("description")} />
        {err("description")}
      </div>
      <div className="field">
        <label htmlFor={`${id}-customerReference`}>
          {t("vt.customerReference")} <span className="muted">({t("common.optional")})</span>
        </label>
        <input
          id={`${id}-customerReference`}
          name="md_customerReference"
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
        {tokenizing ? t("vt.tokenizing") : busy ? t("vt.submitting") : t("vt.submit")}
      </button>
      <p className="hint">{t("vt.securityNote")}</p>
    </form>
  );
}

/** Without JavaScript, back from the provider with a token: the card and amount, and one button that charges. */
function ConfirmStep({ r }: { r: Extract<NonNullable<Data["returned"]>, { kind: "confirm" }> }) {
  const t = useT();
  const fmt = useFormat();
  const navigation = useNavigation();
  return (
    <Form method="post" action="/terminal" className="card vt-form" aria-labelledby="vt-confirm-h" data-testid="vt-confirm">
      <h2 id="vt-confirm-h">{t("vt.confirm.title")}</h2>
      <p>{t("vt.confirm.body")}</p>
      <CsrfInput />
      <input type="hidden" name="key" value={r.key} />
      <input type="hidden" name="token" value={r.token} />
      <input type="hidden" name="terminal" value={r.values.terminal} />
      <input type="hidden" name="amount" value={r.values.amount} />
      <input type="hidden" name="description" value={r.values.description} />
      <input type="hidden" name="customerReference" value={r.values.customerReference} />
      <dl className="dl">
        <dt>{t("vt.receipt.card")}</dt>
        <dd>
          {t(`cardBrand.${r.card.brand}` as MessageKey)}{" "}
          <span className="mono" dir="ltr">
            {fmt.digits(r.card.maskedCard)}
          </span>
        </dd>
        <dt>{t("card.expiry")}</dt>
        <dd className="mono">{fmt.digits(r.card.expiry)}</dd>
        {r.values.description ? (
          <>
            <dt>{t("vt.description")}</dt>
            <dd>{r.values.description}</dd>
          </>
        ) : null}
      </dl>
      <p className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={navigation.state === "submitting"}>
          {t("vt.confirm.charge", { amount: fmt.money(r.amount, undefined) })}
        </button>{" "}
        <Link className="btn" to="/terminal">
          {t("vt.confirm.change")}
        </Link>
      </p>
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
      <PageHeader title={t("vt.title")} intro={t("vt.subtitle", { first: 6, last: 4 })} />
      {live.receipt ? (
        <Receipt r={live.receipt} canViewPayments={data.canViewPayments} />
      ) : (
        <div className="grid grid-2" style={{ alignItems: "start" }}>
          {/* Kept mounted across a refused attempt (the card number stays typed); remounted only
              when the server hands out a fresh form after a used or expired one. */}
          {data.returned?.kind === "confirm" && !failure ? (
            <ConfirmStep r={data.returned} />
          ) : (
            <ChargeForm key={failure?.freshKey ?? "charge-form"} data={data} failure={failure ?? (data.returned?.kind === "failure" ? data.returned.failure : undefined)} />
          )}
          {data.testCards ? <TestCards cards={data.testCards} /> : null}
        </div>
      )}
      <RecentPayments list={live.recent} currency={data.currency} />
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
