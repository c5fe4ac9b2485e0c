import { db } from "~db/client.server";
import { audit } from "~/modules/audit/audit.server";
import { setSessionMerchant } from "~/modules/auth/session.server";
import { forbidden, type AppContext, type Role } from "~/web/guard.server";

/** Moves the session to another merchant the person is an active member of. */
export async function switchMerchant(ctx: AppContext, merchantId: string, request: Request): Promise<Role> {
  const target = ctx.memberships.find((m) => m.merchantId === merchantId);
  if (!target) {
    await audit(db(), {
      actor: ctx,
      action: "access.switch_merchant",
      outcome: "denied",
      targetType: "merchant",
      targetId: merchantId.slice(0, 100),
      request,
    });
    throw forbidden("You are not a member of that merchant, so you cannot switch to it.");
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
    request,
  });
  return target.role;
}
