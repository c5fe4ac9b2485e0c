/**
 * Idempotency keys left in progress by a killed process or a lost database: answered
 * from the payment or refund they created, else released. Always on the real clock
 * (never a simulated `npm run jobs --now`). Run at server start-up and with every
 * reconcile_pending job.
 */
import { recoverAbandonedKeys } from "~/modules/idempotency/idempotency.server";
import { rebuildApiResponse } from "~/web/payments/api-responses.server";

export function recoverIdempotencyKeys(): Promise<{ rebuilt: number; released: number }> {
  return recoverAbandonedKeys(rebuildApiResponse, new Date());
}
