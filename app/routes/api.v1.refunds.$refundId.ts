import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiGetRefund, methodNotAllowed } from "~/web/payments/api.server";

// GET /api/v1/refunds/:id
export const loader = ({ request, params }: LoaderFunctionArgs) => apiGetRefund(request, params.refundId);
export const action = (_: ActionFunctionArgs) => methodNotAllowed(["GET"]);
