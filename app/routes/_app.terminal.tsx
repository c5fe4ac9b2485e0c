import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useFetcher, useLoaderData, useLocation, useNavigation, useSubmit } from "@remix-run/react";
import { useEffect, useId, useRef, useState, type FormEvent, type InputHTMLAttributes, type RefObject } from "react";
import { z } from "zod";
import { ErrorSummary, Field, Optional, formState, SubmitButton, useFormFailure, type ControlProps, type FormState } from "~/components/form";
import { StatusBadge } from "~/components/console/status-badge";
import { RouteErrorBoundary } from "~/components/route-error";
import { CsrfInput } from "~/components/csrf";
import { pageTitle } from "~/components/console/meta";
import { detectCard, formatPanGroups, impossiblePan, isExpired, luhnValid, normalizePan, parseExpiry } from "~/lib/card";
import type { MessageKey } from "~/lib/i18n/en";
import { cardErrorOf, cvcMessage } from "~/lib/i18n/messages";
import { isMessageKey } from "~/lib/i18n/translate";
import { useFormat, useT } from "~/lib/i18n/react";
import { formatMoney, isCurrencyCode, parseAmount } from "~/lib/money";
import { can } from "~/lib/permissions";
import consoleStyles from "~/styles/console.css";
import { keptValues } from "~/lib/forms";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { CUSTOMER_REFERENCE_MAX, DESCRIPTION_MAX } from "~/modules/payments/payments.server";
import {
  chargeableTerminals,
  currentTerminalReceipt,
  recentTerminalPayments,
  sandboxHints,
  type RecentTerminalPayment,
} from "~/modules/payments/virtual-terminal.server";
import { chargeFromTerminal, newTerminalFormKey, terminalReturn, terminalValuesOf } from "~/web/payments/terminal-form.server";
import { parseForm, refuse } from "~/web/form.server";
import { notFound, requireAction, requireContext } from "~/web/guard.server";
import { clientOf } from "~/web/request.server";
import { Card, num, PageHeader, Table } from "~/components/page";

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

/** Fields a card form must never post to the console (the provider's names and ours). */
const CARD_FIELDS = ["cardNumber", "number", "pan", "cvc", "cvv", "cvv2", "exp", "expiry"] as const;

/**
 * The charge form as the console reads it: its fields bounded, the card's token and the
 * form's key; a card number (or CVV2, expiry) posted here is refused on the card field.
 * Built when the action runs: its limits come from a .server module, which the browser's
 * bundle does not have.
 */
function chargeForm() {
  const read = (max: number) => z.string().default("").transform((v) => v.slice(0, max));
  const card = Object.fromEntries(CARD_FIELDS.map((f) => [f, z.unknown()])) as Record<(typeof CARD_FIELDS)[number], z.ZodUnknown>;
  return z
    .object({
      terminal: read(100),
      amount: read(60),
      description: read(DESCRIPTION_MAX + 1),
      customerReference: read(CUSTOMER_REFERENCE_MAX + 1),
      token: read(100),
      key: read(300),
      ...card,
    })
    .superRefine((form, ctx) => {
      if (CARD_FIELDS.some((f) => form[f] !== undefined && form[f] !== "")) ctx.addIssue({ code: "custom", path: ["cardNumber"], message: "vt.error.cardToConsole" });
    });
}

const NO_STORE = { "Cache-Control": "no-store" };

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "terminal:charge");
  const t = serverTranslator(resolvePreferences(ctx));
  // What was typed goes back with a refusal: the form's own fields, never the card or its token.
  const typed = keptValues(form);
  const values: Record<string, string> = { ...terminalValuesOf((name, max) => (typed[name] ?? "").slice(0, max)) };
  const parsed = parseForm(chargeForm(), form, t, "vt.error.unreadable");
  if (!parsed.ok) return refuse(parsed.errors, { values, headers: NO_STORE });
  const r = await chargeFromTerminal(ctx, parsed.data, clientOf(request));
  if (r.ok) return redirect(`/terminal?receipt=${encodeURIComponent(r.paymentId)}`, 303);
  // A key that may not be used again: the page takes the fresh one handed back as the form's `key`.
  return refuse(r.errors, { status: r.status, values: r.freshKey ? { ...values, key: r.freshKey } : values, headers: NO_STORE });
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;

/** How often a page with a payment still waiting for the provider asks again (with scripts / without). */
const POLL_MS = 3_000;
/** The longest description and customer reference the inputs take (the server's limits, DESCRIPTION_MAX and CUSTOMER_REFERENCE_MAX, are in a .server module). */
const DESCRIPTION_INPUT_MAX = 500;
const CUSTOMER_REFERENCE_INPUT_MAX = 200;
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
    <Card headingId="vt-recent-h" title={t("vt.recent.title")} className="vt-recent stackable" data-testid="vt-recent">
      {list.length === 0 ? (
        <p className="muted">{t("vt.recent.empty")}</p>
      ) : (
        <>
          <p className="hint">{t("vt.recent.hint", { max: RECENT_PAYMENTS })}</p>
          <Table
            caption={t("vt.recent.title")}
            hiddenCaption
            className="compact"
            columns={[
              num(t("payments.col.amount")),
              t("payments.col.status"),
              t("payments.col.created"),
              t("payments.col.card"),
              ...(showTerminal ? [t("payments.col.terminal")] : []),
            ]}
          >
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
          </Table>
        </>
      )}
    </Card>
  );
}

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

/**
 * The charge form. The card fields never reach the console: with JavaScript the browser
 * sends them to the provider's tokenization endpoint and posts only the token here (the
 * card inputs have no names, so nothing else can send them); without JavaScript the form
 * itself posts to the provider's card form, which sends the browser back with a token and
 * the form's other fields (md_*), and the page asks to confirm the charge.
 */
function ChargeForm({ data, form }: { data: Data; form: FormState }) {
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  const hydrated = useHydrated();
  const submit = useSubmit();
  const navigation = useNavigation();
  const [tokenizing, setTokenizing] = useState(false);
  // The card's own checks, made in the page before the card leaves it: shown as the server's are.
  const [clientErrors, setClientErrors] = useState<Partial<Record<"cardNumber" | "expiry" | "cvc" | "form", string>>>({});
  const busy = navigation.state === "submitting" || tokenizing;
  const values = form.values;
  const shown: FormState = { ...form, errors: { ...form.errors, ...clientErrors } };
  const errors = shown.errors;
  const [amount, setAmount] = useState(values.amount ?? "");
  const [pan, setPan] = useState("");
  const expRef = useRef<HTMLInputElement>(null);
  const cvcRef = useRef<HTMLInputElement>(null);
  const digits = normalizePan(pan).replace(/[^0-9]/g, "");
  const info = detectCard(digits);
  const bank = digits.length >= 6 ? fmt.cardBank(digits) : null;
  const complete = digits.length >= 12 && (info.brand === "unknown" ? digits.length >= 13 : info.lengths.includes(digits.length));
  const luhn = complete ? luhnValid(digits) : null;
  const preview = amountPreview(amount, data.currency, fmt.locale);
  // A refusal whose key may not be used again hands back a fresh one.
  const key = values.key ?? data.formKey;
  /** A field of the console's own (md_*: what the provider's card form echoes back), with its id and error. */
  const echoed = (name: "terminal" | "amount" | "description" | "customerReference") => ({ form: shown, id: `${id}-${name}`, name: `md_${name}`, error: errors[name] });
  /** A card field: with JavaScript it has no name, so only the provider's token is ever posted. */
  const cardInput = (control: ControlProps, props: InputHTMLAttributes<HTMLInputElement> & { ref?: RefObject<HTMLInputElement> }) => (
    <input {...control} name={hydrated ? undefined : control.name} inputMode="numeric" required autoComplete="off" dir="ltr" {...props} />
  );

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
    if (!/^[0-9]+$/.test(cvc) || !info.cvcLengths.includes(cvc.length)) out.cvc = cvcMessage(t, info.cvcLengths);
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
        // The provider's refusal on the field it is about, in the reader's words (as the server says it).
        const refused = cardErrorOf(t, answer.error?.code ?? "");
        setClientErrors({ [refused.field]: refused.message });
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
      {/* What belongs to no field (and the terminal's refusal when there is one terminal, not shown as a choice). */}
      <ErrorSummary form={shown} fields={data.terminals.length > 1 ? [] : ["terminal"]} />
      {/* The anti-forgery token goes to the console only (with JavaScript); never to the provider. */}
      {hydrated ? <CsrfInput /> : null}
      <input type="hidden" name="return_url" value="/terminal" />
      <input type="hidden" name="md_key" value={key} />
      {data.terminals.length > 1 ? (
        <Field
          {...echoed("terminal")}
          label={t("vt.terminal")}
          defaultValue={values.terminal || data.terminals[0]?.id}
          options={data.terminals.map((x) => ({ value: x.id, label: x.name }))}
        />
      ) : (
        <input type="hidden" name="md_terminal" value={data.terminals[0]!.id} />
      )}
      <Field
        {...echoed("amount")}
        label={t("vt.amount", { currency: data.currency === "IRR" ? t("money.unit.rial") : data.currency })}
        hint={<span aria-live="polite">{preview ? t("vt.amountPreview", { amount: preview }) : t("money.amountHint")}</span>}
        inputMode="decimal"
        required
        maxLength={40}
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
      />
      <Field
        form={shown}
        id={`${id}-pan`}
        name="number"
        label={t("card.number")}
        error={errors.cardNumber}
        hint={
          <span aria-live="polite">
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
          </span>
        }
      >
        {(control) =>
          cardInput(control, {
            "aria-invalid": control["aria-invalid"] ?? (luhn === false ? true : undefined),
            maxLength: 40,
            className: "mono",
            value: pan,
            onChange: (e) => setPan(formatPanGroups(e.target.value)),
          })
        }
      </Field>
      <div className="form-row">
        <Field form={shown} id={`${id}-expiry`} name="exp" label={t("card.expiry")} error={errors.expiry}>
          {(control) => cardInput(control, { ref: expRef, placeholder: t("vt.expiryPlaceholder"), maxLength: 7 })}
        </Field>
        <Field form={shown} id={`${id}-cvc`} name="cvc" label={t("card.cvc")} error={errors.cvc}>
          {(control) => cardInput(control, { ref: cvcRef, type: "password", maxLength: info.cvcLength })}
        </Field>
      </div>
      <Field {...echoed("description")} label={<Optional>{t("vt.description")}</Optional>} maxLength={DESCRIPTION_INPUT_MAX} defaultValue={values.description ?? ""} />
      <Field
        {...echoed("customerReference")}
        label={<Optional>{t("vt.customerReference")}</Optional>}
        hint={t("vt.customerReferenceHint")}
        maxLength={CUSTOMER_REFERENCE_INPUT_MAX}
        defaultValue={values.customerReference ?? ""}
      />
      <SubmitButton busy={busy}>{tokenizing ? t("vt.tokenizing") : busy ? t("vt.submitting") : t("vt.submit")}</SubmitButton>
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
        <SubmitButton busy={navigation.state === "submitting"}>{t("vt.confirm.charge", { amount: fmt.money(r.amount, undefined) })}</SubmitButton>{" "}
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
      <Table
        caption={t("vt.testCards.title")}
        hiddenCaption
        className="compact"
        columns={[t("card.number"), t("card.brand.label"), t("card.funding.label"), t("vt.testCards.result")]}
      >
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
      </Table>
    </details>
  );
}

export default function VirtualTerminalPage() {
  const data = useLoaderData<typeof loader>();
  const refused = useFormFailure();
  // Back from the provider's card form (no JavaScript) with a refusal: shown as the action's are.
  const form = refused.failure || data.returned?.kind !== "failure" ? refused : formState(data.returned.failure);
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
          {data.returned?.kind === "confirm" && !refused.failure ? (
            <ConfirmStep r={data.returned} />
          ) : (
            <ChargeForm key={refused.values.key ?? "charge-form"} data={data} form={form} />
          )}
          {data.testCards ? <TestCards cards={data.testCards} /> : null}
        </div>
      )}
      <RecentPayments list={live.recent} currency={data.currency} />
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
