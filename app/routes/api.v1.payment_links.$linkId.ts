import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed } from "~/web/edge/api.server";
import { apiGetLink } from "~/web/payment-links/api.server";

// GET /api/v1/payment_links/:id
export const loader = ({ request, params }: LoaderFunctionArgs) => apiGetLink(request, params.linkId);
export const action = (_: ActionFunctionArgs) => methodNotAllowed(["GET"]);
