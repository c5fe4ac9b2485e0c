import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiPlans } from "~/web/subscriptions/api.server";

// GET /api/v1/plans and POST /api/v1/plans.
export const loader = ({ request }: LoaderFunctionArgs) => apiPlans.list(request);
export const action = ({ request }: ActionFunctionArgs) => apiPlans.create(request);
