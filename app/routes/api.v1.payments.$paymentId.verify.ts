import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed } from "~/web/edge/api.server";
import { apiVerifyPayment } from "~/web/payment-links/api.server";

// POST /api/v1/payments/:id/verify: the merchant's server confirms a hosted-page payment.
export const loader = (_: LoaderFunctionArgs) => methodNotAllowed(["POST"]);
export const action = ({ request, params }: ActionFunctionArgs) => apiVerifyPayment(request, params.paymentId);
