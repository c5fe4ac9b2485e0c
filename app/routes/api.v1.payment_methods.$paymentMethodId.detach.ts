import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed } from "~/web/edge/api.server";
import { apiCustomers } from "~/web/subscriptions/api.server";

// POST /api/v1/payment_methods/:id/detach (audited).
export const loader = (_: LoaderFunctionArgs) => methodNotAllowed(["POST"]);
export const action = ({ request, params }: ActionFunctionArgs) => apiCustomers.detach(request, params.paymentMethodId);
