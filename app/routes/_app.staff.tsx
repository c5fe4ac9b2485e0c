import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { pageTitle } from "~/components/console/meta";
import { CsrfInput } from "~/components/csrf";
import { ErrorSummary, Field, FieldError, IntentForm, RowAction, SubmitButton, useFormFailure } from "~/components/form";
import { RouteErrorBoundary } from "~/components/route-error";
import { StepUpFields } from "~/components/step-up";
import type { MessageKey } from "~/lib/i18n/en";
import { amountErrorMessage, errorText } from "~/lib/i18n/messages";
import { useFormat, useT } from "~/lib/i18n/react";
import { FORM_ERROR } from "~/lib/forms";
import { makeFormatter } from "~/lib/format";
import { isCurrencyCode, parseAmount, toMajorDecimalString } from "~/lib/money";
import { PERMISSIONS, ROLES, ROLE_PERMISSIONS, type Permission, type Role } from "~/lib/permissions";
import { checkStepUp, requireAction, requireContext } from "~/web/guard.server";
import { resolvePreferences, serverTranslator } from "~/modules/i18n/preferences.server";
import {
  changeRole,
  disableMember,
  removeMember,
  enableMember,
  grantableRoles,
  inviteMember,
  listMembers,
  listPendingInvitations,
  revokeInvitation,
  setSupportRefundLimit,
  StaffError,
} from "~/modules/staff/staff.server";
import { parseForm, refuse } from "~/web/form.server";
import { clientOf } from "~/web/request.server";
import { Card, DoneNotice, PageHeader, Table } from "~/components/page";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, "staff.title");

export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await requireContext(request, "staff:manage");
  const [members, invitations] = await Promise.all([listMembers(ctx.scope), listPendingInvitations(ctx.scope)]);
  const currency = ctx.merchant.currency;
  return json({
    me: { id: ctx.user.id, role: ctx.role },
    merchantName: ctx.merchant.name,
    members,
    invitations,
    grantable: grantableRoles(ctx.role),
    refundLimit: {
      minor: ctx.merchant.supportRefundLimit.toString(),
      major: isCurrencyCode(currency) ? toMajorDecimalString(ctx.merchant.supportRefundLimit, currency) : ctx.merchant.supportRefundLimit.toString(),
      currency,
      editable: ctx.role === "owner",
    },
  });
}

const role = z.enum(ROLES);
const staffForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("invite"),
    // Messages are catalog keys, translated in the action.
    email: z.string().trim().toLowerCase().max(254).email("staff.error.emailInvalid"),
    role,
  }),
  z.object({ intent: z.literal("revoke-invite"), invitationId: z.string().min(1).max(100) }),
  z.object({ intent: z.literal("change-role"), userId: z.string().min(1).max(100), role }),
  z.object({ intent: z.literal("disable"), userId: z.string().min(1).max(100) }),
  z.object({ intent: z.literal("enable"), userId: z.string().min(1).max(100) }),
  z.object({ intent: z.literal("remove"), userId: z.string().min(1).max(100), confirm: z.string().max(10).optional() }),
  z.object({ intent: z.literal("refund-limit"), limit: z.string().max(40) }),
]);

type ActionData = { ok: "invite"; email: string; role: Role; link: string; expiresAt: string };

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "staff:manage");
  const prefs = resolvePreferences(ctx);
  const t = serverTranslator(prefs);
  const intent = String(form.get("intent") ?? "");
  const parsed = parseForm(staffForm, form, t, "staff.error.checkForm", { example: "name@example.com" });
  if (!parsed.ok) return refuse(parsed.errors, { intent, values: form });
  const input = parsed.data;
  try {
    switch (input.intent) {
      case "invite": {
        const inv = await inviteMember(ctx.scope, ctx, { email: input.email, role: input.role }, clientOf(request));
        // The link exists only now (the database keeps its hash): show it once, no redirect.
        return json<ActionData>({ ok: "invite", email: input.email, role: input.role, link: inv.link, expiresAt: inv.expiresAt.toISOString() });
      }
      case "revoke-invite":
        await revokeInvitation(ctx.scope, ctx, input.invitationId, clientOf(request));
        return redirect("/staff?done=invite-revoked");
      case "change-role": {
        const problem = await checkStepUp(ctx, form, request);
        if (problem) return refuse({}, { intent, stepUp: problem, values: form });
        await changeRole(ctx.scope, ctx, { userId: input.userId, role: input.role }, clientOf(request));
        return redirect("/staff?done=role-changed");
      }
      case "disable":
        await disableMember(ctx.scope, ctx, input.userId, clientOf(request));
        return redirect("/staff?done=disabled");
      case "enable":
        await enableMember(ctx.scope, ctx, input.userId, clientOf(request));
        return redirect("/staff?done=enabled");
      case "remove":
        if (input.confirm !== "yes") return refuse({ confirm: t("staff.error.removeConfirm") }, { intent, values: form });
        await removeMember(ctx.scope, ctx, input.userId, clientOf(request));
        return redirect("/staff?done=removed");
      case "refund-limit": {
        const currency = ctx.merchant.currency;
        let minor: bigint;
        if (/^\s*0+([.,]0*)?\s*$/.test(input.limit)) minor = 0n;
        else {
          const amount = isCurrencyCode(currency)
            ? parseAmount(input.limit, currency)
            : { ok: false as const, reason: "Unknown currency", code: "unsupported_currency" as const, params: { currency } };
          if (!amount.ok) return refuse({ limit: amountErrorMessage(t, makeFormatter({ ...prefs }), amount) }, { intent, values: form });
          minor = amount.minor;
        }
        await setSupportRefundLimit(ctx.scope, ctx, minor, clientOf(request));
        return redirect("/staff?done=limit");
      }
    }
  } catch (e) {
    if (e instanceof StaffError) return refuse({ [e.field ?? FORM_ERROR]: errorText(t, e) }, { intent, status: e.status, values: form });
    throw e;
  }
}

const DONE: Record<string, MessageKey> = {
  "invite-revoked": "staff.done.inviteRevoked",
  "role-changed": "staff.done.roleChanged",
  disabled: "staff.done.disabled",
  removed: "staff.done.removed",
  enabled: "staff.done.enabled",
  limit: "staff.done.limit",
};

export default function Staff() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const invited = result && "ok" in result && result.ok === "invite" ? (result as ActionData) : null;
  const busy = useNavigation().state === "submitting";
  const memberForm = useFormFailure(["change-role", "disable", "enable", "remove", "revoke-invite"]);
  const inviteForm = useFormFailure("invite");
  const limitForm = useFormFailure("refund-limit");
  const stepUp = memberForm.failure?.stepUp && memberForm.failure.intent === "change-role" ? memberForm.values : null;
  const currency = data.refundLimit.currency;
  const t = useT();
  const fmt = useFormat();
  const when = (iso: string | null) => (iso ? fmt.dateTime(iso) : t("staff.never"));
  const removeError = (userId: string) =>
    memberForm.failure?.intent === "remove" && memberForm.values.userId === userId ? memberForm.errors.confirm : undefined;

  return (
    <>
      <PageHeader title={t("staff.title")} intro={t("staff.subtitle", { merchant: data.merchantName })} />

      <DoneNotice messages={DONE} />

      {stepUp ? (
        <Card headingId="stepup-title" title={t("staff.stepUp.title")}>
          <p>
            {t("staff.stepUp.text", {
              email: data.members.find((m) => m.userId === stepUp.userId)?.email ?? t("staff.stepUp.thisMember"),
              role: (ROLES as readonly string[]).includes(stepUp.role ?? "") ? t(`role.${stepUp.role as Role}`) : (stepUp.role ?? ""),
            })}
          </p>
          <IntentForm intent="change-role">
            <input type="hidden" name="userId" value={stepUp.userId} />
            <input type="hidden" name="role" value={stepUp.role} />
            <StepUpFields error={memberForm.errors.stepUp} />
            <SubmitButton busy={busy}>{t("staff.stepUp.submit")}</SubmitButton>
          </IntentForm>
        </Card>
      ) : null}

      <Card headingId="members-title" title={t("staff.members")}>
        {stepUp ? null : <ErrorSummary form={memberForm} fields={["userId", "role", "invitationId"]} />}
        <Table columns={[t("staff.col.name"), t("staff.col.email"), t("staff.col.role"), t("common.status"), t("staff.col.twoFactor"), t("staff.col.lastSignIn"), t("common.actions")]}>
          <tbody>
            {data.members.map((m) => {
              const self = m.userId === data.me.id;
              const ownerRow = m.role === "owner" && data.me.role !== "owner";
              return (
                <tr key={m.userId}>
                  <td>
                    {m.name}
                    {self ? <span className="muted"> {t("staff.you")}</span> : null}
                  </td>
                  <td>
                    <bdi>{m.email}</bdi>
                  </td>
                  <td>
                    {ownerRow || data.grantable.length === 0 ? (
                      t(`role.${m.role}`)
                    ) : (
                      <IntentForm intent="change-role" className="form-row">
                        <input type="hidden" name="userId" value={m.userId} />
                        <label className="visually-hidden" htmlFor={`role-${m.userId}`}>
                          {t("staff.roleOf", { email: m.email })}
                        </label>
                        <select id={`role-${m.userId}`} name="role" defaultValue={m.role}>
                          {(data.grantable.includes(m.role) ? data.grantable : [m.role, ...data.grantable]).map((r) => (
                            <option key={r} value={r}>
                              {t(`role.${r}`)}
                            </option>
                          ))}
                        </select>
                        <button type="submit" className="btn" disabled={busy}>
                          {t("staff.changeRole")}
                        </button>
                      </IntentForm>
                    )}
                    {m.lockedUntil && new Date(m.lockedUntil) > new Date() ? (
                      <div>
                        <span className="badge badge-failed">{t("staff.lockedUntil", { date: when(m.lockedUntil) })}</span>
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <span className={`badge badge-${m.status}`}>{t(`memberStatus.${m.status}`)}</span>
                  </td>
                  <td>{m.twoFactor ? t("staff.twoFactorOn") : t("staff.twoFactorOff")}</td>
                  <td>{when(m.lastLoginAt)}</td>
                  <td>
                    {self || ownerRow ? null : (
                      <Form method="post" className="inline-form">
                        <CsrfInput />
                        <input type="hidden" name="userId" value={m.userId} />
                        {m.status === "disabled" ? (
                          <button type="submit" name="intent" value="enable" className="btn">
                            {t("staff.enable")}
                          </button>
                        ) : (
                          <button type="submit" name="intent" value="disable" className="btn btn-danger">
                            {t("staff.disable")}
                          </button>
                        )}
                      </Form>
                    )}
                    {self || data.me.role !== "owner" ? null : (
                      <details
                        className="remove-member"
                        open={memberForm.failure?.intent === "remove" && memberForm.values.userId === m.userId ? true : undefined}
                      >
                        <summary>{t("staff.remove")}</summary>
                        <IntentForm intent="remove">
                          <input type="hidden" name="userId" value={m.userId} />
                          <p className="muted">{t("staff.removeHint")}</p>
                          <label className="check">
                            <input
                              type="checkbox"
                              name="confirm"
                              value="yes"
                              {...(removeError(m.userId) ? { "aria-invalid": true, "aria-describedby": `confirm-${m.userId}-error` } : {})}
                            />{" "}
                            {t("staff.removeConfirm", { email: m.email })}
                          </label>
                          <FieldError id={`confirm-${m.userId}-error`} message={removeError(m.userId)} />
                          <button type="submit" className="btn btn-danger" disabled={busy} aria-label={t("staff.removeOf", { email: m.email })}>
                            {t("staff.remove")}
                          </button>
                        </IntentForm>
                      </details>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
      </Table>
      </Card>

      <Card headingId="invite-title" title={t("staff.invite.title")}>
        {invited ? (
          <div className="success-box" role="status">
            <p>{t("staff.invite.sent", { email: invited.email, role: t(`role.${invited.role}`), date: when(invited.expiresAt) })}</p>
            <p>
              <label htmlFor="invite-link">{t("staff.invite.link")}</label>
              <input id="invite-link" readOnly dir="ltr" value={invited.link} style={{ width: "100%" }} />
            </p>
          </div>
        ) : null}
        <ErrorSummary form={inviteForm} />
        <IntentForm intent="invite" className="form-row">
          <Field form={inviteForm} id="invite-email" name="email" label={t("staff.col.email")} type="email" dir="ltr" required autoComplete="off" />
          <Field
            form={inviteForm}
            id="invite-role"
            name="role"
            label={t("staff.col.role")}
            defaultValue="viewer"
            options={data.grantable.map((r) => ({ value: r, label: t(`role.${r}`) }))}
          />
          <SubmitButton busy={busy}>{t("staff.invite.submit")}</SubmitButton>
        </IntentForm>

        {data.invitations.length > 0 ? (
          <Table
            caption={t("staff.invitations.caption")}
            wrapStyle={{ marginBlockStart: "1rem" }}
            columns={[t("staff.col.email"), t("staff.col.role"), t("staff.invitations.invitedBy"), t("staff.invitations.expires"), t("common.actions")]}
          >
            <tbody>
              {data.invitations.map((i) => (
                <tr key={i.id}>
                  <td>
                    <bdi>{i.email}</bdi>
                  </td>
                  <td>{t(`role.${i.role}`)}</td>
                  <td>
                    <bdi>{i.invitedBy ?? "—"}</bdi>
                  </td>
                  <td>{when(i.expiresAt)}</td>
                  <td>
                    <RowAction intent="revoke-invite" name="invitationId" value={i.id}>
                      {t("staff.invitations.withdraw")}
                    </RowAction>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
      </Card>

      <Card headingId="limit-title" title={t("staff.limit.title")}>
        <p>{t("staff.limit.text", { amount: fmt.money(data.refundLimit.minor, currency) })}</p>
        <ErrorSummary form={limitForm} />
        {data.refundLimit.editable ? (
          <IntentForm intent="refund-limit" className="form-row">
            <Field
              form={limitForm}
              name="limit"
              label={t("staff.limit.label", { currency: currency === "IRR" ? t("money.unit.rial") : currency })}
              hint={t("money.amountHint")}
              inputMode="decimal"
              defaultValue={data.refundLimit.major}
              required
            />
            <button type="submit" className="btn" disabled={busy}>
              {t("staff.limit.save")}
            </button>
          </IntentForm>
        ) : (
          <p className="muted">{t("staff.limit.ownerOnly")}</p>
        )}
      </Card>

      <Card headingId="matrix-title" title={t("staff.matrix.title")}>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("staff.matrix.permission")}</th>
                {ROLES.map((r) => (
                  <th scope="col" key={r}>
                    {t(`role.${r}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(Object.keys(PERMISSIONS) as Permission[]).map((p) => (
                <tr key={p}>
                  <th scope="row">{t(`permission.${p}`)}</th>
                  {ROLES.map((r) => {
                    const yes = ROLE_PERMISSIONS[r].includes(p);
                    return (
                      <td key={r} aria-label={yes ? t("staff.matrix.allowed") : t("staff.matrix.notAllowed")}>
                        {yes ? "✓" : "—"}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted">{t("staff.matrix.ownerNote")}</p>
      </Card>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
