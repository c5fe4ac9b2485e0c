import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { CsrfInput } from "~/components/csrf";
import { RouteErrorBoundary } from "~/components/route-error";
import { StepUpFields } from "~/components/step-up";
import { formatMoney, isCurrencyCode, parseAmount, toMajorDecimalString } from "~/lib/money";
import { PERMISSIONS, ROLES, ROLE_LABELS, ROLE_PERMISSIONS, type Permission, type Role } from "~/lib/permissions";
import { checkStepUp, requireAction, requireContext } from "~/modules/access/guard.server";
import {
  changeRole,
  disableMember,
  enableMember,
  grantableRoles,
  inviteMember,
  listMembers,
  listPendingInvitations,
  revokeInvitation,
  setSupportRefundLimit,
  StaffError,
} from "~/modules/staff/staff.server";

export const meta: MetaFunction = () => [{ title: "Staff · Merchant Console" }];

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
    email: z.string().trim().toLowerCase().max(254).email("Enter an email address like name@example.com."),
    role,
  }),
  z.object({ intent: z.literal("revoke-invite"), invitationId: z.string().min(1).max(100) }),
  z.object({ intent: z.literal("change-role"), userId: z.string().min(1).max(100), role }),
  z.object({ intent: z.literal("disable"), userId: z.string().min(1).max(100) }),
  z.object({ intent: z.literal("enable"), userId: z.string().min(1).max(100) }),
  z.object({ intent: z.literal("refund-limit"), limit: z.string().max(40) }),
]);

type ActionData =
  | { ok: "invite"; email: string; role: Role; link: string; expiresAt: string }
  | { error: { message: string; field?: string; code?: string }; intent?: string; userId?: string; role?: string };

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, "staff:manage");
  const parsed = staffForm.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return json<ActionData>(
      {
        error: { message: issue?.message ?? "Check the form.", field: issue?.path[0]?.toString() },
        intent: String(form.get("intent") ?? ""),
      },
      { status: 400 },
    );
  }
  const input = parsed.data;
  try {
    switch (input.intent) {
      case "invite": {
        const inv = await inviteMember(ctx.scope, ctx, { email: input.email, role: input.role }, request);
        // The link exists only now (the database keeps its hash): show it once, no redirect.
        return json<ActionData>({ ok: "invite", email: input.email, role: input.role, link: inv.link, expiresAt: inv.expiresAt.toISOString() });
      }
      case "revoke-invite":
        await revokeInvitation(ctx.scope, ctx, input.invitationId, request);
        return redirect("/staff?done=invite-revoked");
      case "change-role": {
        const problem = await checkStepUp(ctx, form, request);
        if (problem) {
          return json<ActionData>({ error: problem, intent: input.intent, userId: input.userId, role: input.role }, { status: 403 });
        }
        await changeRole(ctx.scope, ctx, { userId: input.userId, role: input.role }, request);
        return redirect("/staff?done=role-changed");
      }
      case "disable":
        await disableMember(ctx.scope, ctx, input.userId, request);
        return redirect("/staff?done=disabled");
      case "enable":
        await enableMember(ctx.scope, ctx, input.userId, request);
        return redirect("/staff?done=enabled");
      case "refund-limit": {
        const currency = ctx.merchant.currency;
        let minor: bigint;
        if (/^\s*0+([.,]0*)?\s*$/.test(input.limit)) minor = 0n;
        else {
          const amount = isCurrencyCode(currency) ? parseAmount(input.limit, currency) : { ok: false as const, reason: "Unknown currency" };
          if (!amount.ok) return json<ActionData>({ error: { message: amount.reason, field: "limit" }, intent: input.intent }, { status: 400 });
          minor = amount.minor;
        }
        await setSupportRefundLimit(ctx.scope, ctx, minor, request);
        return redirect("/staff?done=limit");
      }
    }
  } catch (e) {
    if (e instanceof StaffError) {
      return json<ActionData>(
        { error: { message: e.message, field: e.field }, intent: input.intent, userId: "userId" in input ? input.userId : undefined },
        { status: e.status },
      );
    }
    throw e;
  }
}

const DONE: Record<string, string> = {
  "invite-revoked": "The invitation was withdrawn; its link no longer works.",
  "role-changed": "The role was changed. It applies from the member's next page.",
  disabled: "The member was disabled and signed out everywhere on this merchant.",
  enabled: "The member can sign in again.",
  limit: "The support refund limit was saved.",
};

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC" : "Never";
}

export default function Staff() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionData | undefined;
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  const done = params.get("done");
  const error = result && "error" in result ? result : null;
  const stepUp = error?.error.code === "step_up_required" && error.intent === "change-role" ? error : null;
  const currency = data.refundLimit.currency;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Staff</h1>
          <p>Who works on {data.merchantName}, and what each role may do.</p>
        </div>
      </div>

      {done && DONE[done] ? (
        <p className="success-box" role="status">
          {DONE[done]}
        </p>
      ) : null}
      {error && !stepUp ? (
        <p className="error-box error" role="alert">
          {error.error.message}
        </p>
      ) : null}

      {stepUp ? (
        <section className="card" aria-labelledby="stepup-title">
          <h2 id="stepup-title">Confirm the role change</h2>
          <p>
            Change {data.members.find((m) => m.userId === stepUp.userId)?.email ?? "this member"} to{" "}
            <strong>{ROLE_LABELS[stepUp.role as Role] ?? stepUp.role}</strong>.
          </p>
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="change-role" />
            <input type="hidden" name="userId" value={stepUp.userId} />
            <input type="hidden" name="role" value={stepUp.role} />
            <StepUpFields error={stepUp.error.message === "Confirm your password to continue" ? null : stepUp.error.message} />
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Confirm and change role
            </button>
          </Form>
        </section>
      ) : null}

      <section className="card" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Two-factor</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.members.map((m) => {
                const self = m.userId === data.me.id;
                const ownerRow = m.role === "owner" && data.me.role !== "owner";
                return (
                  <tr key={m.userId}>
                    <td>
                      {m.name}
                      {self ? <span className="muted"> (you)</span> : null}
                    </td>
                    <td>{m.email}</td>
                    <td>
                      {ownerRow || data.grantable.length === 0 ? (
                        ROLE_LABELS[m.role]
                      ) : (
                        <Form method="post" className="form-row">
                          <CsrfInput />
                          <input type="hidden" name="intent" value="change-role" />
                          <input type="hidden" name="userId" value={m.userId} />
                          <label className="visually-hidden" htmlFor={`role-${m.userId}`}>
                            Role of {m.email}
                          </label>
                          <select id={`role-${m.userId}`} name="role" defaultValue={m.role}>
                            {(data.grantable.includes(m.role) ? data.grantable : [m.role, ...data.grantable]).map((r) => (
                              <option key={r} value={r}>
                                {ROLE_LABELS[r]}
                              </option>
                            ))}
                          </select>
                          <button type="submit" className="btn" disabled={busy}>
                            Change role
                          </button>
                        </Form>
                      )}
                      {m.lockedUntil && new Date(m.lockedUntil) > new Date() ? (
                        <div>
                          <span className="badge badge-failed">Locked until {when(m.lockedUntil)}</span>
                        </div>
                      ) : null}
                    </td>
                    <td>
                      <span className={`badge badge-${m.status}`}>{m.status === "active" ? "Active" : m.status === "disabled" ? "Disabled" : "Invited"}</span>
                    </td>
                    <td>{m.twoFactor ? "On" : "Off"}</td>
                    <td>{when(m.lastLoginAt)}</td>
                    <td>
                      {self || ownerRow ? null : (
                        <Form method="post" className="inline-form">
                          <CsrfInput />
                          <input type="hidden" name="userId" value={m.userId} />
                          {m.status === "disabled" ? (
                            <button type="submit" name="intent" value="enable" className="btn">
                              Enable
                            </button>
                          ) : (
                            <button type="submit" name="intent" value="disable" className="btn btn-danger">
                              Disable
                            </button>
                          )}
                        </Form>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>

      <section className="card" aria-labelledby="invite-title">
        <h2 id="invite-title">Invite a person</h2>
        {result && "ok" in result ? (
          <div className="success-box" role="status">
            <p>
              Invitation sent to <strong>{result.email}</strong> as {ROLE_LABELS[result.role]}. The link works once, until{" "}
              {when(result.expiresAt)}. It is shown only now; you can also send it yourself:
            </p>
            <p>
              <label htmlFor="invite-link">Invitation link</label>
              <input id="invite-link" readOnly value={result.link} style={{ width: "100%" }} />
            </p>
          </div>
        ) : null}
        <Form method="post" className="form-row">
          <CsrfInput />
          <input type="hidden" name="intent" value="invite" />
          <div className="field">
            <label htmlFor="invite-email">Email</label>
            <input id="invite-email" name="email" type="email" required autoComplete="off" />
          </div>
          <div className="field">
            <label htmlFor="invite-role">Role</label>
            <select id="invite-role" name="role" defaultValue="viewer">
              {data.grantable.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Send invitation
          </button>
        </Form>

        {data.invitations.length > 0 ? (
          <div className="table-wrap" style={{ marginBlockStart: "1rem" }}>
            <table className="table">
              <caption>Open invitations</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Invited by</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {data.invitations.map((i) => (
                  <tr key={i.id}>
                    <td>{i.email}</td>
                    <td>{ROLE_LABELS[i.role]}</td>
                    <td>{i.invitedBy ?? "—"}</td>
                    <td>{when(i.expiresAt)}</td>
                    <td>
                      <Form method="post" className="inline-form">
                        <CsrfInput />
                        <input type="hidden" name="invitationId" value={i.id} />
                        <button type="submit" name="intent" value="revoke-invite" className="btn">
                          Withdraw
                        </button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      <section className="card" aria-labelledby="limit-title">
        <h2 id="limit-title">Support refund limit</h2>
        <p>
          Support staff may refund up to{" "}
          <strong>{isCurrencyCode(currency) ? formatMoney(BigInt(data.refundLimit.minor), currency) : data.refundLimit.minor}</strong> per
          refund. Larger refunds need an administrator or the owner.
        </p>
        {data.refundLimit.editable ? (
          <Form method="post" className="form-row">
            <CsrfInput />
            <input type="hidden" name="intent" value="refund-limit" />
            <div className="field">
              <label htmlFor="limit">Limit per refund ({currency})</label>
              <input id="limit" name="limit" inputMode="decimal" defaultValue={data.refundLimit.major} required />
            </div>
            <button type="submit" className="btn" disabled={busy}>
              Save limit
            </button>
          </Form>
        ) : (
          <p className="muted">Only an owner can change it.</p>
        )}
      </section>

      <section className="card" aria-labelledby="matrix-title">
        <h2 id="matrix-title">What each role may do</h2>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Permission</th>
                {ROLES.map((r) => (
                  <th scope="col" key={r}>
                    {ROLE_LABELS[r]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(Object.keys(PERMISSIONS) as Permission[]).map((p) => (
                <tr key={p}>
                  <th scope="row">{PERMISSIONS[p]}</th>
                  {ROLES.map((r) => {
                    const yes = ROLE_PERMISSIONS[r].includes(p);
                    return (
                      <td key={r} aria-label={yes ? "Allowed" : "Not allowed"}>
                        {yes ? "✓" : "—"}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted">
          Only an owner can manage the bank account, create another owner, or change the support refund limit. A merchant
          always keeps at least one active owner.
        </p>
      </section>
    </>
  );
}

export { RouteErrorBoundary as ErrorBoundary };
