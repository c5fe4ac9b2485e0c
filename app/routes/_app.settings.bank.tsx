import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { CsrfInput } from "~/components/csrf";
import { RouteErrorBoundary } from "~/components/route-error";
import { StepUpFields } from "~/components/step-up";
import { can } from "~/lib/permissions";
import { checkStepUp, requireAction, requireContext } from "~/modules/access/guard.server";
import { BANK_KIND_LABELS, bankKindsFor, lastPayoutFailure, listBankAccounts, setBankAccount } from "~/modules/merchants/bank-accounts.server";
import { SANDBOX_TEST_ACCOUNTS } from "~/modules/settlements/sandbox-bank";

export const meta: MetaFunction = () => [{ title: "Bank account · Settings · Merchant Console" }];

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
      kindLabel: BANK_KIND_LABELS[a.kind],
    })),
    kinds: bankKindsFor(currency).map((k) => ({ kind: k, label: BANK_KIND_LABELS[k] })),
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
  const parsed = bankForm.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return json<ActionData>(
      { error: { message: issue?.message ?? "Check the form.", field: issue?.path[0]?.toString() }, values },
      { status: 400 }
    );
  }
  const problem = await checkStepUp(ctx, form, request);
  if (problem) return json<ActionData>({ error: problem, values }, { status: 403 });
  const r = await setBankAccount(ctx.scope, parsed.data, { actor: ctx, request });
  if (!r.ok) return json<ActionData>({ error: { message: r.message, field: r.field }, values }, { status: r.status });
  return redirect("/settings/bank?done=saved");
}

function when(iso: string, timeZone: string): string {
  return new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone });
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
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Bank account</h1>
          <p>
            Where {data.currency} payouts go. <Link to="/settings">Back to settings</Link>
          </p>
        </div>
      </div>
      {params.get("done") === "saved" ? (
        <p className="success-box" role="status">
          Bank account saved. Payouts created from now on go to it; payouts already created keep the account they were created with.
        </p>
      ) : null}

      {data.paused ? (
        <p className="error-box" role="alert" data-testid="payouts-paused">
          Payouts are paused: payout {data.paused.payoutId} to this account failed
          {data.paused.failedAt ? ` on ${when(data.paused.failedAt, data.timeZone)}` : ""} ({data.paused.code}: {data.paused.message}). The
          money is back in your balance. {data.mayChange ? "Enter another account below" : "Ask the owner to enter another account"} and it
          goes out with the next payout.
        </p>
      ) : null}
      <section className="card" aria-labelledby="current-title">
        <h2 id="current-title">Current account</h2>
        {active ? (
          <dl className="dl" data-testid="current-account">
            <dt>Type</dt>
            <dd>{active.kindLabel}</dd>
            <dt>Bank</dt>
            <dd>{active.bankName ?? "—"}</dd>
            <dt>Account</dt>
            <dd className="mono" dir="ltr">
              {active.mask}
            </dd>
            <dt>Holder</dt>
            <dd>{active.holderName}</dd>
            <dt>Since</dt>
            <dd>
              {when(active.createdAt, data.timeZone)} ({data.timeZone})
            </dd>
          </dl>
        ) : (
          <p className="notice">No bank account yet: payouts wait until one is added.</p>
        )}
      </section>

      <section className="card" aria-labelledby="change-title">
        <h2 id="change-title">{active ? "Replace the account" : "Add an account"}</h2>
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
                <label htmlFor="kind">Account type</label>
                <select id="kind" name="kind" defaultValue={v.kind ?? data.kinds[0]!.kind} aria-invalid={invalid("kind")}>
                  {data.kinds.map((k) => (
                    <option key={k.kind} value={k.kind}>
                      {k.label}
                    </option>
                  ))}
                </select>
                {fieldError("kind")}
              </div>
            ) : (
              <input type="hidden" name="kind" value={data.kinds[0]!.kind} />
            )}
            <div className="grid grid-2">
              <div className="field">
                <label htmlFor="accountNumber">
                  {data.currency === "IRR" ? "Sheba number" : data.kinds.length > 1 ? "IBAN or account number" : "IBAN"}
                </label>
                <input
                  id="accountNumber"
                  name="accountNumber"
                  className="mono"
                  dir="ltr"
                  autoComplete="off"
                  spellCheck={false}
                  defaultValue={v.accountNumber}
                  aria-invalid={invalid("accountNumber")}
                  aria-describedby={invalid("accountNumber") ? "accountNumber-error" : "accountNumber-hint"}
                />
                <span className="hint" id="accountNumber-hint">
                  {data.currency === "IRR"
                    ? "IR followed by 24 digits. Spaces and Persian digits are fine; we check the check digits and name the bank."
                    : "We check the number's check digits before saving."}
                </span>
                {fieldError("accountNumber")}
              </div>
              {data.kinds.some((k) => k.kind === "aba") ? (
                <div className="field">
                  <label htmlFor="routingNumber">Routing number (US accounts)</label>
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
                <label htmlFor="holderName">Account holder</label>
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
              Save bank account
            </button>
          </Form>
        ) : (
          <p className="muted">Only the owner can change where payouts go.</p>
        )}
      </section>

      {history.length ? (
        <section className="card" aria-labelledby="history-title">
          <h2 id="history-title">Earlier accounts</h2>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Account</th>
                  <th>Bank</th>
                  <th>Holder</th>
                  <th>Used until</th>
                </tr>
              </thead>
              <tbody>
                {history.map((a) => (
                  <tr key={a.id}>
                    <td className="mono" dir="ltr">
                      {a.mask}
                    </td>
                    <td>{a.bankName ?? "—"}</td>
                    <td>{a.holderName}</td>
                    <td>{a.deactivatedAt ? when(a.deactivatedAt, data.timeZone) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      <section className="card" aria-labelledby="sandbox-title">
        <h2 id="sandbox-title">Sandbox bank test accounts</h2>
        <p className="muted">The sandbox bank pays every valid account on its expected date, except these, which fail on purpose:</p>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Account</th>
                <th>What happens to a payout</th>
              </tr>
            </thead>
            <tbody>
              {data.testAccounts.map((a) => (
                <tr key={a.accountNumber}>
                  <td className="mono" dir="ltr">
                    {a.routingNumber ? `routing ${a.routingNumber}, account ` : ""}
                    {a.accountNumber}
                  </td>
                  <td>{a.outcome}</td>
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
