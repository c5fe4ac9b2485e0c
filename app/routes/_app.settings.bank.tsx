import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { pageTitle } from "~/components/console/meta";
import { CsrfInput } from "~/components/csrf";
import { RouteErrorBoundary } from "~/components/route-error";
import { StepUpFields } from "~/components/step-up";
import { BankAccountFields, useBankKindLabel } from "~/components/bank-account-fields";
import { ErrorSummary, SubmitButton, useFormFailure } from "~/components/form";
import { payoutFailureText, sandboxOutcomeText } from "~/lib/i18n/messages";
import { useFormat, useT } from "~/lib/i18n/react";
import { can } from "~/lib/permissions";
import { bankAccountFields, saveBankAccount } from "~/web/bank-account-form.server";
import { parseForm, refuse } from "~/web/form.server";
import { requireAction, requireContext } from "~/web/guard.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import { bankKindsFor, lastPayoutFailure, listBankAccounts } from "~/modules/merchants/bank-accounts.server";
import { SANDBOX_TEST_ACCOUNTS } from "~/modules/settlements/sandbox-bank";
import { Card, PageHeader, Table } from "~/components/page";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "bankPage.title");

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

// Built when the action runs: its parts come from a .server module, which is not in the browser's bundle
// (built at module level, the page's script would throw on load).
const bankForm = () => z.object(bankAccountFields);

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "bank:manage");
  const t = serverTranslator(resolvePreferences(ctx));
  const parsed = parseForm(bankForm(), form, t, "staff.error.checkForm");
  if (!parsed.ok) return refuse(parsed.errors, { values: form });
  return (await saveBankAccount(ctx, parsed.data, form, request)) ?? redirect("/settings/bank?done=saved");
}

export default function BankAccount() {
  const data = useLoaderData<typeof loader>();
  const form = useFormFailure();
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  const active = data.accounts.find((a) => a.active);
  const history = data.accounts.filter((a) => !a.active);
  const t = useT();
  const fmt = useFormat();
  const currencyName = data.currency === "IRR" ? t("money.unit.rial") : data.currency;
  const kindLabel = useBankKindLabel();
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
      <Card headingId="current-title" title={t("bankPage.current")}>
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
      </Card>

      <Card headingId="change-title" title={active ? t("bankPage.replace") : t("bankPage.add")}>
        {data.mayChange ? (
          <Form method="post" noValidate>
            <CsrfInput />
            <ErrorSummary form={form} />
            <BankAccountFields form={form} currency={data.currency} kinds={data.kinds} holderName={active?.holderName} guide />
            <StepUpFields error={form.errors.stepUp} />
            <SubmitButton busy={busy}>{t("bankPage.save")}</SubmitButton>
          </Form>
        ) : (
          <p className="muted">{t("bankPage.ownerOnly")}</p>
        )}
      </Card>

      {history.length ? (
        <Card headingId="history-title" title={t("bankPage.history")}>
          <Table columns={[t("bankPage.account"), t("bank.name"), t("bank.holder"), t("bankPage.usedUntil")]}>
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
          </Table>
        </Card>
      ) : null}

      <Card headingId="sandbox-title" title={t("bankPage.sandbox.title")}>
        <p className="muted">{t("bankPage.sandbox.intro")}</p>
        <Table columns={[t("bankPage.account"), t("bankPage.sandbox.outcome")]}>
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
        </Table>
      </Card>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
