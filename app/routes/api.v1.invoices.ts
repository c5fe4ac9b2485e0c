import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed } from "~/web/edge/api.server";
import { apiInvoices } from "~/web/subscriptions/api.server";

// GET /api/v1/invoices (?status, ?subscription_id)
export const loader = ({ request }: LoaderFunctionArgs) => apiInvoices.list(request);
export const action = (_: ActionFunctionArgs) => methodNotAllowed(["GET"]);
