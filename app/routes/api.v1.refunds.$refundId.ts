import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiGetRefund } from "~/web/payments/api.server";
import { methodNotAllowed } from "~/web/edge/api.server";

// GET /api/v1/refunds/:id
export const loader = ({ request, params }: LoaderFunctionArgs) => apiGetRefund(request, params.refundId);
export const action = (_: ActionFunctionArgs) => methodNotAllowed(["GET"]);
