import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useId } from "react";
import { DayInput } from "~/components/day-input";
import { Optional, RadioFieldset } from "~/components/form";
import { RouteErrorBoundary } from "~/components/route-error";
import { pageTitle } from "~/components/console/meta";
import { StatusBadge } from "~/components/console/status-badge";
import { maskPan } from "~/lib/card";
import type { MessageKey } from "~/lib/i18n/en";
import { amountErrorMessage, clauseSeparator } from "~/lib/i18n/messages";
import { isMessageKey } from "~/lib/i18n/translate";
import { useFormat, useT } from "~/lib/i18n/react";
import { localDateKey } from "~/lib/dates/zones";
import consoleStyles from "~/styles/console.css";
import { requireContext } from "~/web/guard.server";
import { publicOrigin } from "~/web/request.server";
import { LOOKUP_MAX_DAYS, LOOKUP_TOLERANCE_PERCENT, lookupPayment, type LookupField, type LookupInput } from "~/modules/payments/lookup.server";
// (Only the loader reads LOOKUP_*: a .server module's values do not exist in the browser.)
import { listScope } from "~/modules/reporting/list-query.server";
import { PageHeader } from "~/components/page";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: consoleStyles }];
export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "lookup.title");

// Support's "the customer says they paid": a GET form (a search changes nothing), so a
// lookup's URL can be shared with a colleague and works without JavaScript.
export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "cards:view");
  const q = new URL(request.url).searchParams;
  const get = (k: string, max = 60) => (q.get(k) ?? "").slice(0, max);
  const input: LookupInput = {
    last4: get("last4", 20),
    amount: get("amount", 40),
    unit: get("unit") === "toman" ? "toman" : "major",
    from: get("from", 20),
    to: get("to", 20),
    trace: get("trace", 20),
  };
  const asked = q.has("last4") || q.has("amount");
  const scope = listScope(ctx);
  const result = asked ? await lookupPayment(scope, input, { origin: publicOrigin(request) }) : null;
  return json(
    {
      input,
      asked,
      result,
      today: localDateKey(new Date(), scope.timeZone),
      irr: scope.currency === "IRR",
      // The rules' numbers come from the server (the module is server-only).
      tolerancePercent: Number(LOOKUP_TOLERANCE_PERCENT),
      maxDays: LOOKUP_MAX_DAYS,
    },
    { status: result && !result.ok ? 400 : 200, headers: { "Cache-Control": "private, no-store" } },
  );
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Ok = Extract<NonNullable<Data["result"]>, { ok: true }>;
type Match = Ok["matches"][number];

function Verdict({ m }: { m: Match }) {
  const t = useT();
  const fmt = useFormat();
  const when = (iso: string | null) => (iso ? fmt.dateTime(iso) : "");
  const declineKey = `decline.${m.declineCode ?? ""}`;
  const reason = m.declineCode && isMessageKey(declineKey) ? t(declineKey) : t("lookup.verdict.noReason");
  const text = (() => {
    switch (m.verdict) {
      case "captured":
        return t("lookup.verdict.captured", { amount: fmt.money(m.amount, m.currency), when: when(m.capturedAt ?? m.createdAt) });
      case "partially_refunded":
        return t("lookup.verdict.partiallyRefunded", { amount: fmt.money(m.amount, m.currency), refunded: fmt.money(m.amountRefunded, m.currency), when: when(m.lastRefundAt) });
      case "refunded":
        return t("lookup.verdict.refunded", { amount: fmt.money(m.amount, m.currency), when: when(m.lastRefundAt) });
      case "authorized":
        return t("lookup.verdict.authorized", { amount: fmt.money(m.amount, m.currency) });
      case "reversed":
        return t("lookup.verdict.reversed", { when: when(m.voidedAt) });
      case "pending":
        return t("lookup.verdict.pending", { hours: 72 });
      default:
        return t("lookup.verdict.declined", { reason, hours: 72 });
    }
  })();
  const moved = m.verdict === "captured" || m.verdict === "partially_refunded";
  return (
    <p className={moved ? "lookup-verdict ok" : m.verdict === "pending" || m.verdict === "authorized" ? "lookup-verdict notice" : "lookup-verdict muted-box"} data-testid="lookup-verdict">
      <strong>{t(`lookup.moved.${moved ? "yes" : m.verdict === "pending" || m.verdict === "authorized" ? "notYet" : m.verdict === "refunded" ? "back" : "no"}` as MessageKey)}</strong> {text}
    </p>
  );
}

function MatchCard({ m }: { m: Match }) {
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  return (
    <li className="card lookup-match" data-testid="lookup-match">
      <div className="lookup-match-head">
        <span className="num lookup-amount">{fmt.money(m.amount, m.currency)}</span> <StatusBadge kind="paymentStatus" status={m.status} />
      </div>
      <Verdict m={m} />
      <dl className="dl">
        <dt>{t("lookup.col.when")}</dt>
        <dd>{fmt.dateTime(m.createdAt)}</dd>
        <dt>{t("paymentDetail.card")}</dt>
        <dd>
          {t(`cardBrand.${m.cardBrand}` as MessageKey)}{" "}
          <span className="mono" dir="ltr">
            {m.cardBin && m.cardLast4 ? fmt.digits(maskPan(m.cardBin, m.cardLast4)) : "–"}
          </span>
        </dd>
        <dt>{t("pay.receipt.trace")}</dt>
        <dd>
          <span className="mono">{fmt.digits(m.traceNumber)}</span>
          {m.traceMatches ? <span className="badge badge-captured">{t("lookup.traceMatches")}</span> : null}
        </dd>
        <dt>{t("payments.col.terminal")}</dt>
        <dd>
          {m.terminalKind === "link" ? t("links.title") : m.terminalName}
          {m.paymentLinkId ? (
            <>
              {clauseSeparator(t)}
              <span className="mono">{m.paymentLinkId}</span>
            </>
          ) : null}
        </dd>
      </dl>
      <div className="field">
        <label htmlFor={`${id}-receipt`}>{t("lookup.receiptLink")}</label>
        <input id={`${id}-receipt`} readOnly value={m.receiptUrl} dir="ltr" className="mono" onFocus={(e) => e.currentTarget.select()} data-testid="lookup-receipt" />
        <p className="hint">{t("lookup.receiptHint")}</p>
      </div>
      <p className="form-actions">
        <Link className="btn" to={`/payments/${encodeURIComponent(m.id)}`}>
          {t("lookup.open")}
        </Link>{" "}
        <a className="btn" href={m.receiptUrl} target="_blank" rel="noreferrer">
          {t("lookup.openReceipt")}
        </a>
      </p>
    </li>
  );
}

export default function PaymentLookupPage() {
  const data = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormat();
  const id = useId();
  const { input, result } = data;
  const errors = result && !result.ok ? result.errors : {};
  const errorText = (field: LookupField): string | null => {
    const e = errors[field];
    if (!e) return null;
    if (field === "amount" && result && !result.ok && result.amountError) return amountErrorMessage(t, fmt, result.amountError);
    const dayExample = fmt.digits(fmt.calendar === "persian" ? "1404/01/01" : "2025-03-21");
    const examples: Record<LookupField, string> = { last4: fmt.digits("6006"), amount: fmt.number(125000), from: dayExample, to: dayExample, trace: fmt.digits("042917") };
    return t(`lookup.error.${field}.${e.code}` as MessageKey, { example: examples[field], digits: 6, ...e.params });
  };
  const fieldError = (field: LookupField) => {
    const text = errorText(field);
    return text ? (
      <p className="field-error" id={`${id}-${field}-error`} role="alert">
        {text}
      </p>
    ) : null;
  };
  const inv = (field: LookupField) => (errors[field] ? { "aria-invalid": true as const, "aria-describedby": `${id}-${field}-error` } : {});
  return (
    <>
      <p>
        <Link to="/payments">{t("paymentDetail.back")}</Link>
      </p>
      <PageHeader title={t("lookup.title")} intro={t("lookup.subtitle", { percent: data.tolerancePercent })} />
      <Form method="get" className="card lookup-form" aria-labelledby={`${id}-h`}>
        <h2 id={`${id}-h`} className="visually-hidden">
          {t("lookup.formTitle")}
        </h2>
        <div className="form-row">
          <div className="field">
            <label htmlFor={`${id}-last4`}>{t("lookup.last4")}</label>
            <input id={`${id}-last4`} name="last4" inputMode="numeric" required maxLength={20} size={6} dir="ltr" className="mono" defaultValue={input.last4} autoComplete="off" {...inv("last4")} />
            {fieldError("last4")}
          </div>
          <div className="field">
            <label htmlFor={`${id}-amount`}>{t("lookup.amount")}</label>
            <input id={`${id}-amount`} name="amount" inputMode="decimal" required maxLength={40} size={14} defaultValue={input.amount} autoComplete="off" {...inv("amount")} />
            {fieldError("amount")}
          </div>
          {data.irr ? (
            <RadioFieldset name="unit" legend={t("lookup.unit")} fieldsetClassName="field lookup-unit" className="check" options={[{ value: "toman", label: t("money.unit.toman") }, { value: "major", label: t("money.unit.rial") }]} checked={input.unit === "toman" ? "toman" : "major"} />
          ) : null}
        </div>
        <div className="form-row">
          <div className="field">
            <label htmlFor={`${id}-from`}>{t("lookup.from")}</label>
            <DayInput id={`${id}-from`} name="from" defaultValue={input.from || data.today} required invalid={!!errors.from} describedBy={errors.from ? `${id}-from-error` : undefined} />
            {fieldError("from")}
          </div>
          <div className="field">
            <label htmlFor={`${id}-to`}>
              <Optional>{t("lookup.to")}</Optional>
            </label>
            <DayInput id={`${id}-to`} name="to" defaultValue={input.to} invalid={!!errors.to} describedBy={errors.to ? `${id}-to-error` : undefined} />
            {fieldError("to")}
          </div>
          <div className="field">
            <label htmlFor={`${id}-trace`}>
              <Optional>{t("pay.receipt.trace")}</Optional>
            </label>
            <input id={`${id}-trace`} name="trace" inputMode="numeric" maxLength={20} size={8} dir="ltr" className="mono" defaultValue={input.trace} autoComplete="off" {...inv("trace")} />
            {fieldError("trace")}
          </div>
        </div>
        <p className="hint">{t("lookup.hint", { days: data.maxDays })}</p>
        <button type="submit" className="btn btn-primary">
          {t("lookup.submit")}
        </button>
      </Form>
      {result && result.ok ? (
        <section aria-labelledby={`${id}-results`} className="lookup-results">
          <h2 id={`${id}-results`} role="status">
            {result.matches.length === 0 ? t("lookup.none") : t("lookup.found", { count: result.matches.length })}
          </h2>
          <p className="muted">{t("lookup.range", { low: fmt.money(result.lowAmount), high: fmt.money(result.highAmount) })}</p>
          {result.traceMissed ? <p className="notice">{t("lookup.traceMissed", { trace: fmt.digits(input.trace) })}</p> : null}
          {result.matches.length === 0 ? <p className="notice">{t("lookup.noneHint")}</p> : null}
          <ul className="lookup-list">
            {result.matches.map((m) => (
              <MatchCard key={m.id} m={m} />
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
