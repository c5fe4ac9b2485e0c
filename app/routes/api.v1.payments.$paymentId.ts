import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiGetPayment } from "~/web/payments/api.server";
import { methodNotAllowed } from "~/web/edge/api.server";

// GET /api/v1/payments/:id
export const loader = ({ request, params }: LoaderFunctionArgs) => apiGetPayment(request, params.paymentId);
export const action = (_: ActionFunctionArgs) => methodNotAllowed(["GET"]);
