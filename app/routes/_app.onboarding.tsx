import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { CsrfInput } from "~/components/csrf";
import { RouteErrorBoundary } from "~/components/route-error";
import { StepUpFields } from "~/components/step-up";
import { can, type Permission } from "~/lib/permissions";
import { checkStepUp, requireAction, requireContext } from "~/modules/access/guard.server";
import { BANK_KIND_LABELS, activeBankAccount, bankKindsFor, setBankAccount } from "~/modules/merchants/bank-accounts.server";
import {
  chooseProvider,
  enableFirstTerminal,
  getBusinessDetails,
  getOnboarding,
  listProviders,
  updateBusinessDetails,
} from "~/modules/merchants/onboarding.server";
import { SANDBOX_TEST_ACCOUNTS } from "~/modules/settlements/sandbox-bank";

export const meta: MetaFunction = () => [{ title: "Get started · Merchant Console" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request);
  const [onboarding, details, providers, account] = await Promise.all([
    getOnboarding(ctx.scope),
    getBusinessDetails(ctx.scope),
    listProviders(),
    activeBankAccount(ctx.scope, ctx.merchant.currency),
  ]);
  return json({
    onboarding: { ...onboarding, activatedAt: onboarding.activatedAt?.toISOString() ?? null },
    details,
    providers: providers.filter((p) => p.available),
    bankKinds: bankKindsFor(details.currency).map((k) => ({ kind: k, label: BANK_KIND_LABELS[k] })),
    account: account ? { mask: account.mask, bankName: account.bankName, holderName: account.holderName, kind: account.kind } : null,
    testAccounts: SANDBOX_TEST_ACCOUNTS.filter((a) => bankKindsFor(details.currency).includes(a.kind)),
    may: {
      edit: can(ctx.role, "settings:manage"),
      bank: can(ctx.role, "bank:manage"),
      terminals: can(ctx.role, "terminals:manage"),
    },
  });
}

const onboardingForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("business"),
    name: z.string().max(300),
    legalName: z.string().max(300),
    businessType: z.string().max(300),
    contactEmail: z.string().max(300),
    contactPhone: z.string().max(100),
    website: z.string().max(300).optional(),
  }),
  z.object({
    intent: z.literal("bank"),
    kind: z.string().max(10),
    accountNumber: z.string().max(100),
    routingNumber: z.string().max(40).optional(),
    holderName: z.string().max(300),
  }),
  z.object({ intent: z.literal("provider"), providerId: z.string({ required_error: "Choose a provider." }).max(100) }),
  z.object({
    intent: z.literal("terminal"),
    name: z.string().max(200),
    kind: z.string().max(20),
    location: z.string().max(200).optional(),
  }),
]);

const PERMISSION_FOR: Record<string, Permission> = {
  business: "settings:manage",
  bank: "bank:manage",
  provider: "settings:manage",
  terminal: "terminals:manage",
};

type ActionData =
  | { ok: "terminal"; apiKey: string | null }
  | { error: { message: string; field?: string; code?: string }; intent: string; values?: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  // The permission depends on which step is submitted: read the intent before the guard consumes the body.
  let intent = "";
  try {
    intent = String((await request.clone().formData()).get("intent") ?? "");
  } catch {
    // Not a form at all: requireAction refuses it below.
  }
  const { ctx, form } = await requireAction(request, PERMISSION_FOR[intent] ?? "settings:manage");
  const raw = Object.fromEntries(
    [...form.entries()].filter(([k]) => !k.startsWith("stepUp") && k !== "_csrf").map(([k, v]) => [k, String(v)])
  );
  const parsed = onboardingForm.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return json<ActionData>(
      { error: { message: issue?.message ?? "Check the form.", field: issue?.path[0]?.toString() }, intent, values: raw },
      { status: 400 }
    );
  }
  const input = parsed.data;
  const meta = { actor: ctx, request };
  switch (input.intent) {
    case "business": {
      const r = await updateBusinessDetails(ctx.scope, input, meta);
      if (!r.ok) return json<ActionData>({ error: r, intent, values: raw }, { status: 400 });
      return redirect("/onboarding?done=business");
    }
    case "bank": {
      const problem = await checkStepUp(ctx, form, request);
      if (problem) return json<ActionData>({ error: problem, intent, values: raw }, { status: 403 });
      const r = await setBankAccount(ctx.scope, input, meta);
      if (!r.ok) return json<ActionData>({ error: { message: r.message, field: r.field }, intent, values: raw }, { status: r.status });
      return redirect("/onboarding?done=bank");
    }
    case "provider": {
      const r = await chooseProvider(ctx.scope, input.providerId, meta);
      if (!r.ok) return json<ActionData>({ error: r, intent }, { status: 400 });
      return redirect("/onboarding?done=provider");
    }
    case "terminal": {
      const r = await enableFirstTerminal(ctx.scope, input, meta);
      if (!r.ok) return json<ActionData>({ error: { message: r.message, field: r.field }, intent, values: raw }, { status: r.status });
      // An API key exists only now (only its hash is stored): show it once, no redirect.
      if (r.apiKey) return json<ActionData>({ ok: "terminal", apiKey: r.apiKey });
      return redirect("/onboarding?done=terminal");
    }
  }
}

const DONE: Record<string, string> = {
  business: "Business details saved.",
  bank: "Bank account saved. Payouts created from now on go to it.",
  provider: "Provider chosen.",
  terminal: "Terminal enabled.",
};

function Err({ data, intent, field }: { data?: ActionData; intent: string; field: string }) {
  if (!data || !("error" in data) || data.intent !== intent || data.error.field !== field) return null;
  return (
    <span className="field-error" role="alert" id={`${intent}-${field}-error`}>
      {data.error.message}
    </span>
  );
}

function FormError({ data, intent, fields }: { data?: ActionData; intent: string; fields: string[] }) {
  if (!data || !("error" in data) || data.intent !== intent) return null;
  if (data.error.field && fields.includes(data.error.field)) return null;
  if (data.error.code === "step_up_required") return null;
  return (
    <p className="error-box error" role="alert">
      {data.error.message}
    </p>
  );
}

/** A finished step's form stays at hand but folded away. */
function Collapsible({ open, label, children }: { open: boolean; label: string; children: ReactNode }) {
  if (open) return <>{children}</>;
  return (
    <details>
      <summary>{label}</summary>
      {children}
    </details>
  );
}

export default function Onboarding() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  const o = data.onboarding;
  const done = params.get("done");
  const values = (intent: string) => (result && "error" in result && result.intent === intent ? result.values ?? {} : {});
  const invalid = (intent: string, field: string) =>
    result && "error" in result && result.intent === intent && result.error.field === field ? true : undefined;
  const step = (id: string) => o.steps.find((s) => s.id === id)!;
  const stepUpError =
    result && "error" in result && result.intent === "bank" && result.error.code === "step_up_required" ? result.error.message : null;
  const bv = values("bank");
  const dv = { ...data.details, ...values("business") };
  const tv = values("terminal");
  const doneCount = o.steps.filter((s) => s.done).length;
  const failed = (intent: string) => !!(result && "error" in result && result.intent === intent);

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Get started</h1>
          <p>
            {o.name} · {doneCount} of {o.steps.length} steps done
          </p>
        </div>
        <span className={`badge badge-${o.status}`} data-testid="merchant-status">
          {o.status === "active" ? "Active" : o.status === "pending" ? "Not active yet" : "Suspended"}
        </span>
      </div>

      {done && DONE[done] ? (
        <p className="success-box" role="status">
          {DONE[done]}
        </p>
      ) : null}
      {o.status === "active" ? (
        <section className="success-box" role="status" aria-live="polite">
          <strong>Your account is active.</strong> You can take payments
          {o.activatedAt ? ` (activated ${new Date(o.activatedAt).toISOString().slice(0, 10)})` : ""}.{" "}
          <Link to="/terminal">Open the virtual terminal</Link> · <Link to="/">Overview</Link> · <Link to="/payouts">Payouts</Link>
        </section>
      ) : o.blocker ? (
        <p className="notice" role="status" data-testid="blocker">
          {o.blocker}
        </p>
      ) : null}
      {result && "ok" in result && result.apiKey ? (
        <section className="success-box" role="status">
          <strong>Terminal enabled.</strong> Its API key is shown only this once; copy it now:
          <pre className="mono" data-testid="api-key">
            {result.apiKey}
          </pre>
        </section>
      ) : null}

      {/* Keyed by the last step saved, so each form starts fresh after a successful save. */}
      <ol className="grid" style={{ listStyle: "none", padding: 0 }} key={done ?? ""}>
        <li className="card" aria-labelledby="step-business">
          <h2 id="step-business">
            {step("business").done ? "✓ " : "1. "}
            {step("business").title}
          </h2>
          <p className="muted">{step("business").summary}</p>
          {data.may.edit ? (
            <Collapsible open={!step("business").done || failed("business")} label="Change business details">
              <Form method="post" noValidate>
                <CsrfInput />
                <input type="hidden" name="intent" value="business" />
                <FormError
                  data={result}
                  intent="business"
                  fields={["name", "legalName", "businessType", "contactEmail", "contactPhone", "website"]}
                />
                <div className="grid grid-2">
                  {(
                    [
                      ["name", "Business name (shown to customers)", "text", "organization"],
                      ["legalName", "Legal name", "text", "organization"],
                      ["businessType", "What you sell", "text", "off"],
                      ["contactEmail", "Contact email", "email", "email"],
                      ["contactPhone", "Contact phone", "tel", "tel"],
                      ["website", "Website (optional)", "text", "url"],
                    ] as const
                  ).map(([name, label, type, ac]) => (
                    <div className="field" key={name}>
                      <label htmlFor={`b-${name}`}>{label}</label>
                      <input
                        id={`b-${name}`}
                        name={name}
                        type={type}
                        autoComplete={ac}
                        defaultValue={(dv as Record<string, string>)[name] ?? ""}
                        aria-invalid={invalid("business", name)}
                        aria-describedby={invalid("business", name) ? `business-${name}-error` : undefined}
                      />
                      <Err data={result} intent="business" field={name} />
                    </div>
                  ))}
                </div>
                <button className="btn btn-primary" type="submit" disabled={busy}>
                  Save business details
                </button>
              </Form>
            </Collapsible>
          ) : (
            <p className="muted">An owner or administrator fills this in.</p>
          )}
        </li>

        <li className="card" aria-labelledby="step-bank">
          <h2 id="step-bank">
            {step("bank").done ? "✓ " : "2. "}
            {step("bank").title}
          </h2>
          <p className="muted">{step("bank").summary}</p>
          {data.may.bank ? (
            <Collapsible open={!step("bank").done || failed("bank")} label="Replace the bank account">
              <Form method="post" noValidate>
                <CsrfInput />
                <input type="hidden" name="intent" value="bank" />
                <FormError data={result} intent="bank" fields={["kind", "accountNumber", "routingNumber", "holderName"]} />
                {data.bankKinds.length > 1 ? (
                  <div className="field">
                    <label htmlFor="bank-kind">Account type</label>
                    <select id="bank-kind" name="kind" defaultValue={bv.kind ?? data.bankKinds[0]!.kind}>
                      {data.bankKinds.map((k) => (
                        <option key={k.kind} value={k.kind}>
                          {k.label}
                        </option>
                      ))}
                    </select>
                    <Err data={result} intent="bank" field="kind" />
                  </div>
                ) : (
                  <input type="hidden" name="kind" value={data.bankKinds[0]!.kind} />
                )}
                <div className="grid grid-2">
                  <div className="field">
                    <label htmlFor="bank-number">
                      {data.details.currency === "IRR" ? "Sheba number" : data.bankKinds.length > 1 ? "IBAN or account number" : "IBAN"}
                    </label>
                    <input
                      id="bank-number"
                      name="accountNumber"
                      className="mono"
                      dir="ltr"
                      autoComplete="off"
                      spellCheck={false}
                      placeholder={data.details.currency === "IRR" ? "IR20 0170 0000 0000 0123 4567 89" : undefined}
                      defaultValue={bv.accountNumber}
                      aria-invalid={invalid("bank", "accountNumber")}
                      aria-describedby={invalid("bank", "accountNumber") ? "bank-accountNumber-error" : undefined}
                    />
                    <Err data={result} intent="bank" field="accountNumber" />
                  </div>
                  {data.bankKinds.some((k) => k.kind === "aba") ? (
                    <div className="field">
                      <label htmlFor="bank-routing">Routing number (US accounts)</label>
                      <input
                        id="bank-routing"
                        name="routingNumber"
                        inputMode="numeric"
                        dir="ltr"
                        defaultValue={bv.routingNumber}
                        aria-invalid={invalid("bank", "routingNumber")}
                      />
                      <Err data={result} intent="bank" field="routingNumber" />
                    </div>
                  ) : null}
                  <div className="field">
                    <label htmlFor="bank-holder">Account holder</label>
                    <input
                      id="bank-holder"
                      name="holderName"
                      defaultValue={bv.holderName ?? data.details.legalName}
                      aria-invalid={invalid("bank", "holderName")}
                    />
                    <Err data={result} intent="bank" field="holderName" />
                  </div>
                </div>
                <StepUpFields error={stepUpError} />
                <button className="btn btn-primary" type="submit" disabled={busy}>
                  {data.account ? "Replace bank account" : "Save bank account"}
                </button>
                <details>
                  <summary>Sandbox test accounts</summary>
                  <p className="hint">The sandbox bank pays every account except these, which fail on purpose:</p>
                  <ul>
                    {data.testAccounts.map((a) => (
                      <li key={a.accountNumber}>
                        <code>
                          {a.routingNumber ? `${a.routingNumber} / ` : ""}
                          {a.accountNumber}
                        </code>
                        : {a.outcome}
                      </li>
                    ))}
                  </ul>
                </details>
              </Form>
            </Collapsible>
          ) : (
            <p className="muted">Only the owner sets the bank account.</p>
          )}
        </li>

        <li className="card" aria-labelledby="step-provider">
          <h2 id="step-provider">
            {step("provider").done ? "✓ " : "3. "}
            {step("provider").title}
          </h2>
          <p className="muted">{step("provider").summary}</p>
          {data.may.edit && !step("provider").done ? (
            <Form method="post">
              <CsrfInput />
              <input type="hidden" name="intent" value="provider" />
              <FormError data={result} intent="provider" fields={[]} />
              <fieldset>
                <legend>Choose a provider</legend>
                {data.providers.map((p, i) => (
                  <label key={p.id} style={{ display: "block" }}>
                    <input type="radio" name="providerId" value={p.id} defaultChecked={i === 0} /> <strong>{p.name}</strong>:{" "}
                    {p.description}
                    {p.activation === "automatic" ? " Activation is immediate." : " The provider reviews your account first."}
                  </label>
                ))}
              </fieldset>
              <button className="btn btn-primary" type="submit" disabled={busy}>
                Use this provider
              </button>
            </Form>
          ) : null}
        </li>

        <li className="card" aria-labelledby="step-terminal">
          <h2 id="step-terminal">
            {step("terminal").done ? "✓ " : "4. "}
            {step("terminal").title}
          </h2>
          <p className="muted">{step("terminal").summary}</p>
          {data.may.terminals && !step("terminal").done ? (
            <Form method="post" noValidate>
              <CsrfInput />
              <input type="hidden" name="intent" value="terminal" />
              <FormError data={result} intent="terminal" fields={["name", "kind", "location"]} />
              <div className="form-row">
                <div className="field">
                  <label htmlFor="t-name">Terminal name</label>
                  <input id="t-name" name="name" defaultValue={tv.name ?? "Virtual terminal"} aria-invalid={invalid("terminal", "name")} />
                  <Err data={result} intent="terminal" field="name" />
                </div>
                <div className="field">
                  <label htmlFor="t-kind">Takes payments from</label>
                  <select id="t-kind" name="kind" defaultValue={tv.kind ?? "virtual"}>
                    <option value="virtual">This console (virtual terminal)</option>
                    <option value="api">My website or app (API key)</option>
                  </select>
                  <Err data={result} intent="terminal" field="kind" />
                </div>
              </div>
              <button className="btn btn-primary" type="submit" disabled={busy}>
                Enable terminal
              </button>
            </Form>
          ) : null}
        </li>
      </ol>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
