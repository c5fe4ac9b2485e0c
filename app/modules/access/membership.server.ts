import type { Client } from "~/lib/vocabulary";
import { db } from "~db/client.server";
import { audit } from "~/modules/audit/audit.server";
import { setSessionMerchant } from "~/modules/auth/session.server";
import type { Role } from "~/lib/permissions";
import type { AppContext } from "~/modules/access/context";

/** Moves the session to another merchant the person is an active member of; null (and an audit event) when they are not one. */
export async function switchMerchant(ctx: AppContext, merchantId: string, client: Client): Promise<Role | null> {
  const target = ctx.memberships.find((m) => m.merchantId === merchantId);
  if (!target) {
    await audit(db(), {
      actor: ctx,
      action: "access.switch_merchant",
      outcome: "denied",
      targetType: "merchant",
      targetId: merchantId.slice(0, 100),
      client,
    });
    return null;
  }
  if (merchantId === ctx.scope.merchantId) return target.role;
  await setSessionMerchant(db(), ctx.session.id, merchantId);
  await audit(db(), {
    merchantId,
    actor: ctx,
    action: "access.switch_merchant",
    outcome: "success",
    targetType: "merchant",
    targetId: merchantId,
    details: { from: ctx.scope.merchantId, role: target.role },
    client,
  });
  return target.role;
}
