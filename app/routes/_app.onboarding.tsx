import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { pageTitle } from "~/components/console/meta";
import { CsrfInput } from "~/components/csrf";
import { RouteErrorBoundary } from "~/components/route-error";
import { StepUpFields } from "~/components/step-up";
import { validateSheba } from "~/lib/bank-account";
import { makeFormatter } from "~/lib/format";
import type { MessageKey } from "~/lib/i18n/en";
import { businessFieldError, errorText, sandboxOutcomeText, shebaErrorMessage, terminalFieldError } from "~/lib/i18n/messages";
import { useFormat, useT } from "~/lib/i18n/react";
import { isMessageKey } from "~/lib/i18n/translate";
import { can, type Permission } from "~/lib/permissions";
import { checkStepUp, requireAction, requireContext } from "~/web/guard.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { activeBankAccount, bankKindsFor, setBankAccount } from "~/modules/merchants/bank-accounts.server";
import {
  chooseProvider,
  enableFirstTerminal,
  getBusinessDetails,
  getOnboarding,
  listProviders,
  updateBusinessDetails,
} from "~/modules/merchants/onboarding.server";
import { SANDBOX_TEST_ACCOUNTS } from "~/modules/settlements/sandbox-bank";
import { DoneNotice, Facts, LinkRow } from "~/components/page";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "onboarding.title");

const STEPS = ["business", "bank", "provider", "terminal"] as const;

/** A valid Sheba in the groups of four people read it in (a sample, the same in every language). */
const SHEBA_SAMPLE = "IR20 0170 0000 0000 0123 4567 89";

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
    bankKinds: bankKindsFor(details.currency).map((k) => ({ kind: k })),
    account: account
      ? { mask: account.mask, bankName: account.bankName, bankCode: account.bankCode, holderName: account.holderName, kind: account.kind }
      : null,
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
  // Messages are catalog keys, translated in the action.
  z.object({ intent: z.literal("provider"), providerId: z.string({ required_error: "onboarding.error.chooseProvider" }).max(100) }),
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
  const prefs = resolvePreferences(ctx);
  const t = serverTranslator(prefs);
  const parsed = onboardingForm.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = issue && isMessageKey(issue.message) ? t(issue.message) : t("staff.error.checkForm");
    return json<ActionData>({ error: { message, field: issue?.path[0]?.toString() }, intent, values: raw }, { status: 400 });
  }
  const input = parsed.data;
  const meta = { actor: ctx, request };
  switch (input.intent) {
    case "business": {
      const r = await updateBusinessDetails(ctx.scope, input, meta);
      if (!r.ok) {
        return json<ActionData>({ error: { field: r.field, message: businessFieldError(t, r.field, r.message) }, intent, values: raw }, { status: 400 });
      }
      return redirect("/onboarding?done=business");
    }
    case "bank": {
      const problem = await checkStepUp(ctx, form, request);
      if (problem) return json<ActionData>({ error: problem, intent, values: raw }, { status: 403 });
      const r = await setBankAccount(ctx.scope, input, meta);
      if (!r.ok) {
        // A refused Sheba says why in the reader's language (the module's reason is English).
        const sheba = input.kind === "sheba" && r.field === "accountNumber" ? validateSheba(input.accountNumber) : null;
        const message = sheba && !sheba.ok ? shebaErrorMessage(t, makeFormatter({ ...prefs }), sheba, input.accountNumber) : r.message;
        return json<ActionData>({ error: { message, field: r.field }, intent, values: raw }, { status: r.status });
      }
      return redirect("/onboarding?done=bank");
    }
    case "provider": {
      const r = await chooseProvider(ctx.scope, input.providerId, meta);
      if (!r.ok) return json<ActionData>({ error: r, intent }, { status: 400 });
      return redirect("/onboarding?done=provider");
    }
    case "terminal": {
      const r = await enableFirstTerminal(ctx.scope, input, meta);
      if (!r.ok) {
        const message = r.i18n ? errorText(t, r) : terminalFieldError(t, r.field ?? "", r.message);
        return json<ActionData>({ error: { message, field: r.field }, intent, values: raw }, { status: r.status });
      }
      // An API key exists only now (only its hash is stored): show it once, no redirect.
      if (r.apiKey) return json<ActionData>({ ok: "terminal", apiKey: r.apiKey });
      return redirect("/onboarding?done=terminal");
    }
  }
}

const DONE: Record<string, MessageKey> = {
  business: "onboarding.done.business",
  bank: "onboarding.done.bank",
  provider: "onboarding.done.provider",
  terminal: "onboarding.done.terminal",
};

const BUSINESS_FIELDS = [
  ["name", "onboarding.business.name", "text", "organization"],
  ["legalName", "settings.details.legalName", "text", "organization"],
  ["businessType", "settings.details.businessType", "text", "off"],
  ["contactEmail", "settings.details.contactEmail", "email", "email"],
  ["contactPhone", "settings.details.contactPhone", "tel", "tel"],
  ["website", "settings.details.website", "text", "url"],
] as const satisfies readonly (readonly [string, MessageKey, string, string])[];

// Written in Latin letters whatever the page's direction.
const LTR_FIELDS = new Set(["contactEmail", "contactPhone", "website"]);

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
  const t = useT();
  const fmt = useFormat();
  const f = o.facts;
  const stepTitle = (id: (typeof STEPS)[number]) => t(`onboarding.step.${id}`);
  const number = (id: (typeof STEPS)[number]) => (step(id).done ? "✓ " : `${fmt.number(STEPS.indexOf(id) + 1)}. `);
  const kindLabel = (kind: string) => (isMessageKey(`bankKind.${kind}`) ? t(`bankKind.${kind}` as "bankKind.sheba") : kind);
  const providerName = (id: string | null, name: string | null) =>
    id && isMessageKey(`provider.${id}.name`) ? t(`provider.${id}.name` as "provider.sandbox.name") : (name ?? "");
  const summary = (id: (typeof STEPS)[number]): ReactNode => {
    switch (id) {
      case "business": {
        if (!step("business").done) return t("onboarding.summary.business");
        const d = data.details;
        return (
          <Facts
            items={[
              [t("settings.details.legalName"), d.legalName],
              [t("settings.details.businessType"), d.businessType],
              [t("settings.details.contactEmail"), d.contactEmail ? <bdi dir="ltr">{d.contactEmail}</bdi> : null],
              [t("settings.details.contactPhone"), d.contactPhone ? <bdi dir="ltr">{fmt.digits(d.contactPhone)}</bdi> : null],
            ]}
          />
        );
      }
      case "bank": {
        const a = data.account;
        if (!step("bank").done || !a) return o.currency === "IRR" ? t("onboarding.summary.bankSheba", { length: 24 }) : t("onboarding.summary.bank");
        const bank = a.bankCode ? fmt.bankName(a.bankCode) : (a.bankName ?? t("settings.bankAccount"));
        return (
          <>
            <Facts
              items={[
                [t("bank.name"), bank],
                [t("bankPage.account"), <bdi dir="ltr" className="mono" key="mask">{fmt.digits(a.mask)}</bdi>],
                [t("bank.holder"), a.holderName],
              ]}
            />
            {f.bankVerified === false ? <span className="error">{t("onboarding.summary.bankPaused")}</span> : null}
          </>
        );
      }
      case "provider":
        return step("provider").done ? providerName(f.providerId, f.providerName) : t("onboarding.summary.provider");
      case "terminal":
        return step("terminal").done ? t("onboarding.summary.terminalDone", { count: f.terminalCount }) : t("onboarding.summary.terminal");
    }
  };
  const missing = STEPS.filter((id) => !step(id).done).map((id) => stepTitle(id));
  const blocker =
    o.status === "active"
      ? null
      : o.status === "suspended"
        ? t("onboarding.blocker.suspended")
        : missing.length
          ? t("onboarding.blocker.missing", { steps: new Intl.ListFormat(fmt.locale).format(missing) })
          : t("onboarding.blocker.waiting", { provider: providerName(f.providerId, f.providerName) || t("onboarding.theProvider") });

  return (
    <>
      <div className="page-header">
        <div>
          <h1>{t("onboarding.title")}</h1>
          <p>{t("onboarding.progress", { merchant: o.name, done: doneCount, total: o.steps.length })}</p>
        </div>
        <span className={`badge badge-${o.status}`} data-testid="merchant-status">
          {t(`merchantStatus.${o.status}`)}
        </span>
      </div>

      <DoneNotice messages={DONE} />
      {o.status === "active" ? (
        <section className="success-box" role="status" aria-live="polite">
          <strong>{t("onboarding.active")}</strong>{" "}
          {o.activatedAt ? t("onboarding.activeSince", { date: fmt.date(o.activatedAt) }) : t("onboarding.canTakePayments")}{" "}
          <LinkRow>
            {[
              <Link to="/terminal" key="terminal">{t("onboarding.openTerminal")}</Link>,
              <Link to="/" key="overview">{t("nav.overview")}</Link>,
              <Link to="/payouts" key="payouts">{t("nav.payouts")}</Link>,
            ]}
          </LinkRow>
        </section>
      ) : blocker ? (
        <p className="notice" role="status" data-testid="blocker">
          {blocker}
        </p>
      ) : null}
      {result && "ok" in result && result.apiKey ? (
        <section className="success-box" role="status">
          <strong>{t("onboarding.done.terminal")}</strong> {t("onboarding.apiKeyOnce")}
          <pre className="mono" data-testid="api-key" dir="ltr">
            {result.apiKey}
          </pre>
        </section>
      ) : null}

      {/* Keyed by the last step saved, so each form starts fresh after a successful save. */}
      <ol className="grid" style={{ listStyle: "none", padding: 0 }} key={done ?? ""}>
        <li className="card" aria-labelledby="step-business">
          <h2 id="step-business">
            {number("business")}
            {stepTitle("business")}
          </h2>
          <div className="muted step-summary">{summary("business")}</div>
          {data.may.edit ? (
            <Collapsible open={!step("business").done || failed("business")} label={t("onboarding.business.change")}>
              <Form method="post" noValidate>
                <CsrfInput />
                <input type="hidden" name="intent" value="business" />
                <FormError
                  data={result}
                  intent="business"
                  fields={["name", "legalName", "businessType", "contactEmail", "contactPhone", "website"]}
                />
                <div className="grid grid-2">
                  {BUSINESS_FIELDS.map(([name, label, type, ac]) => (
                    <div className="field" key={name}>
                      <label htmlFor={`b-${name}`}>{t(label)}</label>
                      <input
                        id={`b-${name}`}
                        name={name}
                        type={type}
                        dir={LTR_FIELDS.has(name) ? "ltr" : undefined}
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
                  {t("onboarding.business.save")}
                </button>
              </Form>
            </Collapsible>
          ) : (
            <p className="muted">{t("onboarding.business.ownerFills")}</p>
          )}
        </li>

        <li className="card" aria-labelledby="step-bank">
          <h2 id="step-bank">
            {number("bank")}
            {stepTitle("bank")}
          </h2>
          <div className="muted step-summary">{summary("bank")}</div>
          {data.may.bank ? (
            <Collapsible open={!step("bank").done || failed("bank")} label={t("bankPage.replace")}>
              <Form method="post" noValidate>
                <CsrfInput />
                <input type="hidden" name="intent" value="bank" />
                <FormError data={result} intent="bank" fields={["kind", "accountNumber", "routingNumber", "holderName"]} />
                {data.bankKinds.length > 1 ? (
                  <div className="field">
                    <label htmlFor="bank-kind">{t("bankPage.type")}</label>
                    <select id="bank-kind" name="kind" defaultValue={bv.kind ?? data.bankKinds[0]!.kind}>
                      {data.bankKinds.map((k) => (
                        <option key={k.kind} value={k.kind}>
                          {kindLabel(k.kind)}
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
                      {data.details.currency === "IRR" ? t("bank.sheba") : data.bankKinds.length > 1 ? t("bankPage.ibanOrAccount") : t("bankKind.iban")}
                    </label>
                    <input
                      id="bank-number"
                      name="accountNumber"
                      className="mono"
                      dir="ltr"
                      autoComplete="off"
                      spellCheck={false}
                      placeholder={data.details.currency === "IRR" ? SHEBA_SAMPLE : undefined}
                      defaultValue={bv.accountNumber}
                      aria-invalid={invalid("bank", "accountNumber")}
                      aria-describedby={invalid("bank", "accountNumber") ? "bank-accountNumber-error" : undefined}
                    />
                    <Err data={result} intent="bank" field="accountNumber" />
                  </div>
                  {data.bankKinds.some((k) => k.kind === "aba") ? (
                    <div className="field">
                      <label htmlFor="bank-routing">{t("bankPage.routing")}</label>
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
                    <label htmlFor="bank-holder">{t("bank.holder")}</label>
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
                  {data.account ? t("bankPage.replace") : t("bankPage.save")}
                </button>
                <details>
                  <summary>{t("bankPage.sandbox.title")}</summary>
                  <p className="hint">{t("bankPage.sandbox.intro")}</p>
                  <ul>
                    {data.testAccounts.map((a) => (
                      <li key={a.accountNumber}>
                        <code dir="ltr">
                          {a.routingNumber ? `${a.routingNumber} / ` : ""}
                          {a.accountNumber}
                        </code>
                        : {sandboxOutcomeText(t, a.outcome)}
                      </li>
                    ))}
                  </ul>
                </details>
              </Form>
            </Collapsible>
          ) : (
            <p className="muted">{t("bankPage.ownerOnly")}</p>
          )}
        </li>

        <li className="card" aria-labelledby="step-provider">
          <h2 id="step-provider">
            {number("provider")}
            {stepTitle("provider")}
          </h2>
          <div className="muted step-summary">{summary("provider")}</div>
          {data.may.edit && !step("provider").done ? (
            <Form method="post">
              <CsrfInput />
              <input type="hidden" name="intent" value="provider" />
              <FormError data={result} intent="provider" fields={[]} />
              <fieldset>
                <legend>{t("onboarding.provider.choose")}</legend>
                {data.providers.map((p, i) => (
                  <label key={p.id} style={{ display: "block" }}>
                    <input type="radio" name="providerId" value={p.id} defaultChecked={i === 0} /> <strong>{providerName(p.id, p.name)}</strong>:{" "}
                    {isMessageKey(`provider.${p.id}.description`) ? t(`provider.${p.id}.description` as "provider.sandbox.description") : p.description}{" "}
                    {p.activation === "automatic" ? t("onboarding.provider.immediate") : t("onboarding.provider.review")}
                  </label>
                ))}
              </fieldset>
              <button className="btn btn-primary" type="submit" disabled={busy}>
                {t("onboarding.provider.use")}
              </button>
            </Form>
          ) : null}
        </li>

        <li className="card" aria-labelledby="step-terminal">
          <h2 id="step-terminal">
            {number("terminal")}
            {stepTitle("terminal")}
          </h2>
          <div className="muted step-summary">{summary("terminal")}</div>
          {data.may.terminals && !step("terminal").done ? (
            <Form method="post" noValidate>
              <CsrfInput />
              <input type="hidden" name="intent" value="terminal" />
              <FormError data={result} intent="terminal" fields={["name", "kind", "location"]} />
              <div className="form-row">
                <div className="field">
                  <label htmlFor="t-name">{t("onboarding.terminal.name")}</label>
                  <input id="t-name" name="name" defaultValue={tv.name ?? t("nav.terminal")} aria-invalid={invalid("terminal", "name")} />
                  <Err data={result} intent="terminal" field="name" />
                </div>
                <div className="field">
                  <label htmlFor="t-kind">{t("onboarding.terminal.kind")}</label>
                  <select id="t-kind" name="kind" defaultValue={tv.kind ?? "virtual"}>
                    <option value="virtual">{t("onboarding.terminal.virtual")}</option>
                    <option value="api">{t("onboarding.terminal.api")}</option>
                  </select>
                  <Err data={result} intent="terminal" field="kind" />
                </div>
              </div>
              <button className="btn btn-primary" type="submit" disabled={busy}>
                {t("onboarding.terminal.enable")}
              </button>
            </Form>
          ) : null}
        </li>
      </ol>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
