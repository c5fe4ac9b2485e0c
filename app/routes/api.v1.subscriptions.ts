import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiSubscriptions } from "~/web/subscriptions/api.server";

// GET /api/v1/subscriptions (?status, ?customer_id) and POST (create; starting now bills the first period at once).
export const loader = ({ request }: LoaderFunctionArgs) => apiSubscriptions.list(request);
export const action = ({ request }: ActionFunctionArgs) => apiSubscriptions.create(request);
