import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiCustomers } from "~/web/subscriptions/api.server";

// GET /api/v1/customers/:id (with subscriptions and saved cards) and POST (update).
export const loader = ({ request, params }: LoaderFunctionArgs) => apiCustomers.get(request, params.customerId);
export const action = ({ request, params }: ActionFunctionArgs) => apiCustomers.update(request, params.customerId);
