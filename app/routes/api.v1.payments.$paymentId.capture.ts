import type { ActionFunctionArgs } from "@remix-run/node";
import { apiPaymentTransition } from "~/web/payments/api.server";
import { methodNotAllowed } from "~/web/edge/api.server";

// POST /api/v1/payments/:id/capture
export const loader = () => methodNotAllowed(["POST"]);
export const action = ({ request, params }: ActionFunctionArgs) => apiPaymentTransition(request, params.paymentId, "capture");
