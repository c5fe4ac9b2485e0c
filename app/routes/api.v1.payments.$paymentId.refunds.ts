import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiCreateRefund, apiListRefunds } from "~/web/payments/api.server";

// GET /api/v1/payments/:id/refunds and POST /api/v1/payments/:id/refunds
export const loader = ({ request, params }: LoaderFunctionArgs) => apiListRefunds(request, params.paymentId);
export const action = ({ request, params }: ActionFunctionArgs) => apiCreateRefund(request, params.paymentId);
