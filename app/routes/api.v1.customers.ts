import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiCustomers } from "~/web/subscriptions/api.server";

// GET /api/v1/customers (?q= search) and POST /api/v1/customers (create).
export const loader = ({ request }: LoaderFunctionArgs) => apiCustomers.list(request);
export const action = ({ request }: ActionFunctionArgs) => apiCustomers.create(request);
