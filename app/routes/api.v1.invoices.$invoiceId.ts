import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed } from "~/web/edge/api.server";
import { apiInvoices } from "~/web/subscriptions/api.server";

// GET /api/v1/invoices/:id (with every charge attempt)
export const loader = ({ request, params }: LoaderFunctionArgs) => apiInvoices.get(request, params.invoiceId);
export const action = (_: ActionFunctionArgs) => methodNotAllowed(["GET"]);
