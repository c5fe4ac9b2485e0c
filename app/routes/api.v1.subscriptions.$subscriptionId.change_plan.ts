import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed } from "~/web/edge/api.server";
import { apiSubscriptions } from "~/web/subscriptions/api.server";

// POST /api/v1/subscriptions/:id/change_plan {plan_id, quantity?, preview?}
export const loader = (_: LoaderFunctionArgs) => methodNotAllowed(["POST"]);
export const action = ({ request, params }: ActionFunctionArgs) => apiSubscriptions.changePlan(request, params.subscriptionId);
