import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { pageTitle } from "~/components/console/meta";
import { RouteErrorBoundary } from "~/components/route-error";
import { StepUpFields } from "~/components/step-up";
import { BankAccountFields } from "~/components/bank-account-fields";
import { Field, IntentForm, type FormState, RadioFieldset, SubmitButton, useFormFailure } from "~/components/form";
import { FORM_ERROR } from "~/lib/forms";
import { BusinessDetailsFields } from "~/components/business-details-fields";
import { businessDetailsFields } from "~/lib/business-details";
import type { MessageKey } from "~/lib/i18n/en";
import { businessFieldError, errorText, sandboxOutcomeText, terminalFieldError } from "~/lib/i18n/messages";
import { useFormat, useT } from "~/lib/i18n/react";
import { isMessageKey } from "~/lib/i18n/translate";
import { can, type Permission } from "~/lib/permissions";
import { bankAccountFields, saveBankAccount } from "~/web/bank-account-form.server";
import { parseForm, refuse } from "~/web/form.server";
import { requireAction, requireContext } from "~/web/guard.server";
import { clientOf } from "~/web/request.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { activeBankAccount, bankKindsFor } from "~/modules/merchants/bank-accounts.server";
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

// Built when the action runs: its parts come from a .server module, which is not in the browser's bundle
// (built at module level, the page's script would throw on load).
const onboardingForm = () => z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("business"), ...businessDetailsFields }),
  z.object({ intent: z.literal("bank"), ...bankAccountFields }),
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

type ActionData = { ok: "terminal"; apiKey: string | null };

export async function action({ request }: ActionFunctionArgs) {
  // The permission depends on which step is submitted: read the intent before the guard consumes the body.
  let intent = "";
  try {
    intent = String((await request.clone().formData()).get("intent") ?? "");
  } catch {
    // Not a form at all: requireAction refuses it below.
  }
  const { ctx, form } = await requireAction(request, PERMISSION_FOR[intent] ?? "settings:manage");
  const t = serverTranslator(resolvePreferences(ctx));
  const parsed = parseForm(onboardingForm(), form, t, "staff.error.checkForm");
  if (!parsed.ok) return refuse(parsed.errors, { intent, values: form });
  const input = parsed.data;
  const meta = { actor: ctx, client: clientOf(request) };
  switch (input.intent) {
    case "business": {
      const r = await updateBusinessDetails(ctx.scope, input, meta);
      if (!r.ok) return refuse({ [r.field]: businessFieldError(t, r.field, r.message) }, { intent, values: form });
      return redirect("/onboarding?done=business");
    }
    case "bank": {
      const { intent: _, ...account } = input;
      return (await saveBankAccount(ctx, account, form, request, intent)) ?? redirect("/onboarding?done=bank");
    }
    case "provider": {
      const r = await chooseProvider(ctx.scope, input.providerId, meta);
      if (!r.ok) return refuse({ [r.field]: errorText(t, r) }, { intent, values: form });
      return redirect("/onboarding?done=provider");
    }
    case "terminal": {
      const r = await enableFirstTerminal(ctx.scope, input, meta);
      if (!r.ok) {
        const message = r.i18n ? errorText(t, r) : terminalFieldError(t, r.field ?? "", r.message);
        return refuse({ [r.field ?? FORM_ERROR]: message }, { intent, status: r.status, values: form });
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

const BUSINESS_FIELDS = ["name", "legalName", "businessType", "contactEmail", "contactPhone", "website"] as const;

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

/**
 * A step's form for one who may fill it, folded away once the step is done (open again when
 * it was refused); for anyone else, who fills it.
 */
function StepForm({ may, done, intent, form, foldLabel, otherwise, children }: {
  may: boolean;
  done: boolean;
  intent: string;
  form: FormState;
  foldLabel: string;
  otherwise: string;
  children: ReactNode;
}) {
  if (!may) return <p className="muted">{otherwise}</p>;
  return (
    <Collapsible open={!done || form.failure !== null} label={foldLabel}>
      <IntentForm intent={intent} form={form} noValidate>
        {children}
      </IntentForm>
    </Collapsible>
  );
}

/** One step of the checklist: its number (or a tick once done) and title, what it holds so far, then its form. */
function StepCard({ id, title, summary, children }: { id: string; title: string; summary: ReactNode; children: ReactNode }) {
  return (
    <li className="card" aria-labelledby={`step-${id}`}>
      <h2 id={`step-${id}`}>{title}</h2>
      <div className="muted step-summary">{summary}</div>
      {children}
    </li>
  );
}

export default function Onboarding() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const apiKey = result && "ok" in result && result.ok === "terminal" ? (result as ActionData).apiKey : null;
  const businessForm = useFormFailure("business");
  const bankForm = useFormFailure("bank");
  const providerForm = useFormFailure("provider");
  const terminalForm = useFormFailure("terminal");
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  const o = data.onboarding;
  const done = params.get("done");
  const step = (id: string) => o.steps.find((s) => s.id === id)!;
  const doneCount = o.steps.filter((s) => s.done).length;
  const t = useT();
  const fmt = useFormat();
  const f = o.facts;
  const stepTitle = (id: (typeof STEPS)[number]) => t(`onboarding.step.${id}`);
  const number = (id: (typeof STEPS)[number]) => (step(id).done ? "✓ " : `${fmt.number(STEPS.indexOf(id) + 1)}. `);
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
  const stepHead = (id: (typeof STEPS)[number]) => ({ id, title: `${number(id)}${stepTitle(id)}`, summary: summary(id) });
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
      {apiKey ? (
        <section className="success-box" role="status">
          <strong>{t("onboarding.done.terminal")}</strong> {t("onboarding.apiKeyOnce")}
          <pre className="mono" data-testid="api-key" dir="ltr">
            {apiKey}
          </pre>
        </section>
      ) : null}

      {/* Keyed by the last step saved, so each form starts fresh after a successful save. */}
      <ol className="grid" style={{ listStyle: "none", padding: 0 }} key={done ?? ""}>
        <StepCard {...stepHead("business")}>
          <StepForm
            may={data.may.edit}
            done={step("business").done}
            intent="business"
            form={businessForm}
            foldLabel={t("onboarding.business.change")}
            otherwise={t("onboarding.business.ownerFills")}
          >
            <BusinessDetailsFields
              form={businessForm}
              idPrefix="b-"
              fields={BUSINESS_FIELDS}
              details={data.details}
              labels={{ name: "onboarding.business.name" }}
              autoComplete
            />
            <SubmitButton busy={busy}>{t("onboarding.business.save")}</SubmitButton>
          </StepForm>
        </StepCard>

        <StepCard {...stepHead("bank")}>
          <StepForm
            may={data.may.bank}
            done={step("bank").done}
            intent="bank"
            form={bankForm}
            foldLabel={t("bankPage.replace")}
            otherwise={t("bankPage.ownerOnly")}
          >
            <BankAccountFields
              form={bankForm}
              idPrefix="bank-"
              currency={data.details.currency}
              kinds={data.bankKinds.map((k) => k.kind)}
              holderName={data.details.legalName}
              placeholder={data.details.currency === "IRR" ? SHEBA_SAMPLE : undefined}
            />
            <StepUpFields error={bankForm.errors.stepUp} />
            <SubmitButton busy={busy}>{data.account ? t("bankPage.replace") : t("bankPage.save")}</SubmitButton>
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
          </StepForm>
        </StepCard>

        <StepCard {...stepHead("provider")}>
        {data.may.edit && !step("provider").done ? (
          <IntentForm intent="provider" form={providerForm}>
            <RadioFieldset
              legend={t("onboarding.provider.choose")}
              name="providerId"
              error={providerForm.errors.providerId}
              style={{ display: "block" }}
              checked={data.providers[0]?.id}
              options={data.providers.map((p) => ({
                value: p.id,
                label: (
                  <>
                    <strong>{providerName(p.id, p.name)}</strong>:{" "}
                    {isMessageKey(`provider.${p.id}.description`) ? t(`provider.${p.id}.description` as "provider.sandbox.description") : p.description}{" "}
                    {p.activation === "automatic" ? t("onboarding.provider.immediate") : t("onboarding.provider.review")}
                  </>
                ),
              }))}
            />
            <SubmitButton busy={busy}>{t("onboarding.provider.use")}</SubmitButton>
          </IntentForm>
        ) : null}
        </StepCard>

        <StepCard {...stepHead("terminal")}>
        {data.may.terminals && !step("terminal").done ? (
          <IntentForm intent="terminal" form={terminalForm} noValidate>
            <div className="form-row">
              <Field form={terminalForm} id="t-name" name="name" label={t("onboarding.terminal.name")} defaultValue={t("nav.terminal")} />
              <Field
                form={terminalForm}
                id="t-kind"
                name="kind"
                label={t("onboarding.terminal.kind")}
                defaultValue="virtual"
                options={[
                  { value: "virtual", label: t("onboarding.terminal.virtual") },
                  { value: "api", label: t("onboarding.terminal.api") },
                ]}
              />
            </div>
            <SubmitButton busy={busy}>{t("onboarding.terminal.enable")}</SubmitButton>
          </IntentForm>
        ) : null}
        </StepCard>
      </ol>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
