import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed } from "~/web/edge/api.server";
import { apiSubscriptions } from "~/web/subscriptions/api.server";

// GET /api/v1/subscriptions/:id
export const loader = ({ request, params }: LoaderFunctionArgs) => apiSubscriptions.get(request, params.subscriptionId);
export const action = (_: ActionFunctionArgs) => methodNotAllowed(["GET"]);
