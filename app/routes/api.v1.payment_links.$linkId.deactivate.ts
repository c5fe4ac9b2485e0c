import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed } from "~/web/edge/api.server";
import { apiDeactivateLink } from "~/web/payment-links/api.server";

// POST /api/v1/payment_links/:id/deactivate (deactivating twice answers the same).
export const loader = (_: LoaderFunctionArgs) => methodNotAllowed(["POST"]);
export const action = ({ request, params }: ActionFunctionArgs) => apiDeactivateLink(request, params.linkId);
