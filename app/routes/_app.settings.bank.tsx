import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { pageTitle } from "~/components/console/meta";
import { CsrfInput } from "~/components/csrf";
import { RouteErrorBoundary } from "~/components/route-error";
import { StepUpFields } from "~/components/step-up";
import { validateSheba } from "~/lib/bank-account";
import { toLatinDigits } from "~/lib/digits";
import { makeFormatter } from "~/lib/format";
import { payoutFailureText, sandboxOutcomeText, shebaErrorMessage } from "~/lib/i18n/messages";
import { useFormat, useT } from "~/lib/i18n/react";
import { isMessageKey } from "~/lib/i18n/translate";
import { can } from "~/lib/permissions";
import { checkStepUp, requireAction, requireContext } from "~/web/guard.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { bankKindsFor, lastPayoutFailure, listBankAccounts, setBankAccount } from "~/modules/merchants/bank-accounts.server";
import { SANDBOX_TEST_ACCOUNTS } from "~/modules/settlements/sandbox-bank";
import { clientOf } from "~/web/request.server";
import { PageHeader } from "~/components/page";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "bankPage.title");

/** The bank of a Sheba as it is typed (its 5th to 7th characters), once they are there. */
function ShebaBank({ value }: { value: string }) {
  const t = useT();
  const fmt = useFormat();
  const compact = toLatinDigits(value).replace(/[\s-]/g, "").toUpperCase();
  if (!/^IR\d{5}/.test(compact)) return null;
  const code = compact.slice(4, 7);
  const known = fmt.bankName(code) !== code;
  const result = compact.length >= 26 ? validateSheba(compact) : null;
  return (
    <span className="hint" aria-live="polite" data-testid="sheba-bank">
      {known ? t("bankPage.shebaBank", { bank: fmt.bankName(code) }) : t("bankPage.shebaBankUnknown", { code: fmt.digits(code) })}
      {result && !result.ok ? ` ${shebaErrorMessage(t, fmt, result, value)}` : null}
    </span>
  );
}

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "settings:manage");
  const accounts = await listBankAccounts(ctx.scope);
  const currency = ctx.merchant.currency;
  const active = accounts.find((a) => a.active);
  const failure = active && !active.verified ? await lastPayoutFailure(ctx.scope, active.id) : null;
  return json({
    currency,
    timeZone: ctx.merchant.timeZone,
    accounts: accounts.map((a) => ({
      ...a,
      createdAt: a.createdAt.toISOString(),
      deactivatedAt: a.deactivatedAt?.toISOString() ?? null,
    })),
    kinds: bankKindsFor(currency),
    testAccounts: SANDBOX_TEST_ACCOUNTS.filter((a) => bankKindsFor(currency).includes(a.kind)),
    mayChange: can(ctx.role, "bank:manage"),
    paused: failure ? { ...failure, failedAt: failure.failedAt?.toISOString() ?? null } : null,
  });
}

const bankForm = z.object({
  kind: z.string().max(10),
  accountNumber: z.string().max(100),
  routingNumber: z.string().max(40).optional(),
  holderName: z.string().max(300),
});

type ActionData = { error: { message: string; field?: string; code?: string }; values: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "bank:manage");
  const values = Object.fromEntries(
    [...form.entries()].filter(([k]) => !k.startsWith("stepUp") && k !== "_csrf").map(([k, v]) => [k, String(v)])
  );
  const prefs = resolvePreferences(ctx);
  const t = serverTranslator(prefs);
  const parsed = bankForm.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return json<ActionData>({ error: { message: t("staff.error.checkForm"), field: issue?.path[0]?.toString() }, values }, { status: 400 });
  }
  const problem = await checkStepUp(ctx, form, request);
  if (problem) return json<ActionData>({ error: problem, values }, { status: 403 });
  const r = await setBankAccount(ctx.scope, parsed.data, { actor: ctx, client: clientOf(request) });
  if (!r.ok) {
    let message = r.message;
    // A refused Sheba says why in the reader's language (the module's reason is English).
    const sheba = parsed.data.kind === "sheba" && r.field === "accountNumber" ? validateSheba(parsed.data.accountNumber) : null;
    if (sheba && !sheba.ok) message = shebaErrorMessage(t, makeFormatter({ ...prefs }), sheba, parsed.data.accountNumber);
    else if (r.field === "holderName") message = t("bankPage.error.holderName", { max: 140 });
    return json<ActionData>({ error: { message, field: r.field }, values }, { status: r.status });
  }
  return redirect("/settings/bank?done=saved");
}

export default function BankAccount() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  const active = data.accounts.find((a) => a.active);
  const history = data.accounts.filter((a) => !a.active);
  const v = result?.values ?? {};
  const fieldError = (field: string) =>
    result?.error.field === field ? (
      <span className="field-error" role="alert" id={`${field}-error`}>
        {result.error.message}
      </span>
    ) : null;
  const invalid = (field: string) => (result?.error.field === field ? true : undefined);
  const t = useT();
  const fmt = useFormat();
  const [typed, setTyped] = useState(v.accountNumber ?? "");
  const currencyName = data.currency === "IRR" ? t("money.unit.rial") : data.currency;
  const kindLabel = (kind: string) => (isMessageKey(`bankKind.${kind}`) ? t(`bankKind.${kind}` as "bankKind.sheba") : kind);
  const bankOf = (a: { bankCode: string | null; bankName: string | null }) => (a.bankCode ? fmt.bankName(a.bankCode) : (a.bankName ?? "—"));
  return (
    <>
      <PageHeader title={t("bankPage.title")} intro={<>{t("bankPage.subtitle", { currency: currencyName })} <Link to="/settings">{t("bankPage.back")}</Link></>} />
      {params.get("done") === "saved" ? (
        <p className="success-box" role="status">
          {t("bankPage.saved")}
        </p>
      ) : null}

      {data.paused ? (
        <p className="error-box" role="alert" data-testid="payouts-paused">
          {t(data.paused.failedAt ? "bankPage.pausedAt" : "bankPage.paused", {
            payout: data.paused.payoutId,
            date: data.paused.failedAt ? fmt.dateTime(data.paused.failedAt) : "",
            reason: payoutFailureText(t, data.paused.code) || (data.paused.message ?? ""),
          })}{" "}
          {data.mayChange ? t("bankPage.pausedEnterAnother") : t("bankPage.pausedAskOwner")}
        </p>
      ) : null}
      <section className="card" aria-labelledby="current-title">
        <h2 id="current-title">{t("bankPage.current")}</h2>
        {active ? (
          <dl className="dl" data-testid="current-account">
            <dt>{t("bankPage.type")}</dt>
            <dd>{kindLabel(active.kind)}</dd>
            <dt>{t("bank.name")}</dt>
            <dd>{bankOf(active)}</dd>
            <dt>{t("bankPage.account")}</dt>
            <dd className="mono" dir="ltr">
              {fmt.digits(active.mask)}
            </dd>
            <dt>{t("bank.holder")}</dt>
            <dd>{active.holderName}</dd>
            <dt>{t("bankPage.since")}</dt>
            <dd>{fmt.dateTime(active.createdAt)}</dd>
          </dl>
        ) : (
          <p className="notice">{t("bankPage.none")}</p>
        )}
      </section>

      <section className="card" aria-labelledby="change-title">
        <h2 id="change-title">{active ? t("bankPage.replace") : t("bankPage.add")}</h2>
        {data.mayChange ? (
          <Form method="post" noValidate>
            <CsrfInput />
            {result?.error && !result.error.field && result.error.code !== "step_up_required" ? (
              <p className="error-box error" role="alert">
                {result.error.message}
              </p>
            ) : null}
            {data.kinds.length > 1 ? (
              <div className="field">
                <label htmlFor="kind">{t("bankPage.type")}</label>
                <select id="kind" name="kind" defaultValue={v.kind ?? data.kinds[0]!} aria-invalid={invalid("kind")}>
                  {data.kinds.map((k) => (
                    <option key={k} value={k}>
                      {kindLabel(k)}
                    </option>
                  ))}
                </select>
                {fieldError("kind")}
              </div>
            ) : (
              <input type="hidden" name="kind" value={data.kinds[0]!} />
            )}
            <div className="grid grid-2">
              <div className="field">
                <label htmlFor="accountNumber">
                  {data.currency === "IRR" ? t("bank.sheba") : data.kinds.length > 1 ? t("bankPage.ibanOrAccount") : t("bankKind.iban")}
                </label>
                <input
                  id="accountNumber"
                  name="accountNumber"
                  className="mono"
                  dir="ltr"
                  autoComplete="off"
                  spellCheck={false}
                  defaultValue={v.accountNumber}
                  onChange={(e) => setTyped(e.currentTarget.value)}
                  aria-invalid={invalid("accountNumber")}
                  aria-describedby={invalid("accountNumber") ? "accountNumber-error" : "accountNumber-hint"}
                />
                <span className="hint" id="accountNumber-hint">
                  {data.currency === "IRR" ? t("bankPage.shebaHint", { length: 24 }) : t("bankPage.ibanHint")}
                </span>
                {data.currency === "IRR" ? <ShebaBank value={typed} /> : null}
                {fieldError("accountNumber")}
              </div>
              {data.kinds.includes("aba") ? (
                <div className="field">
                  <label htmlFor="routingNumber">{t("bankPage.routing")}</label>
                  <input
                    id="routingNumber"
                    name="routingNumber"
                    inputMode="numeric"
                    dir="ltr"
                    defaultValue={v.routingNumber}
                    aria-invalid={invalid("routingNumber")}
                  />
                  {fieldError("routingNumber")}
                </div>
              ) : null}
              <div className="field">
                <label htmlFor="holderName">{t("bank.holder")}</label>
                <input
                  id="holderName"
                  name="holderName"
                  defaultValue={v.holderName ?? active?.holderName}
                  aria-invalid={invalid("holderName")}
                />
                {fieldError("holderName")}
              </div>
            </div>
            <StepUpFields error={result?.error.code === "step_up_required" ? result.error.message : null} />
            <button className="btn btn-primary" type="submit" disabled={busy}>
              {t("bankPage.save")}
            </button>
          </Form>
        ) : (
          <p className="muted">{t("bankPage.ownerOnly")}</p>
        )}
      </section>

      {history.length ? (
        <section className="card" aria-labelledby="history-title">
          <h2 id="history-title">{t("bankPage.history")}</h2>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>{t("bankPage.account")}</th>
                  <th>{t("bank.name")}</th>
                  <th>{t("bank.holder")}</th>
                  <th>{t("bankPage.usedUntil")}</th>
                </tr>
              </thead>
              <tbody>
                {history.map((a) => (
                  <tr key={a.id}>
                    <td className="mono" dir="ltr">
                      {fmt.digits(a.mask)}
                    </td>
                    <td>{bankOf(a)}</td>
                    <td>{a.holderName}</td>
                    <td>{a.deactivatedAt ? fmt.dateTime(a.deactivatedAt) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      <section className="card" aria-labelledby="sandbox-title">
        <h2 id="sandbox-title">{t("bankPage.sandbox.title")}</h2>
        <p className="muted">{t("bankPage.sandbox.intro")}</p>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{t("bankPage.account")}</th>
                <th>{t("bankPage.sandbox.outcome")}</th>
              </tr>
            </thead>
            <tbody>
              {data.testAccounts.map((a) => (
                <tr key={a.accountNumber}>
                  <td className="mono" dir="ltr">
                    {a.routingNumber ? t("bankPage.sandbox.routingAccount", { routing: a.routingNumber, account: a.accountNumber }) : a.accountNumber}
                  </td>
                  <td>{sandboxOutcomeText(t, a.outcome)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
