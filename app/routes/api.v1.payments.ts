import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiCreatePayment, apiListPayments } from "~/web/payments/api.server";

// GET /api/v1/payments (list, cursor pagination) and POST /api/v1/payments (create).
export const loader = ({ request }: LoaderFunctionArgs) => apiListPayments(request);
export const action = ({ request }: ActionFunctionArgs) => apiCreatePayment(request);
