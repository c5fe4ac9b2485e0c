import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiCustomers } from "~/web/subscriptions/api.server";

// GET /api/v1/customers/:id/payment_methods and POST (save a tokenized card with its mandate).
export const loader = ({ request, params }: LoaderFunctionArgs) => apiCustomers.paymentMethods(request, params.customerId);
export const action = ({ request, params }: ActionFunctionArgs) => apiCustomers.attach(request, params.customerId);
