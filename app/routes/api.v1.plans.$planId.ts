import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed } from "~/web/edge/api.server";
import { apiPlans } from "~/web/subscriptions/api.server";

// GET /api/v1/plans/:id
export const loader = ({ request, params }: LoaderFunctionArgs) => apiPlans.get(request, params.planId);
export const action = (_: ActionFunctionArgs) => methodNotAllowed(["GET"]);
