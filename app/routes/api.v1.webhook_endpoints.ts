import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiWebhookEndpoints } from "~/web/events/api.server";

// GET, POST /api/v1/webhook_endpoints
export const loader = ({ request }: LoaderFunctionArgs) => apiWebhookEndpoints(request);
export const action = ({ request }: ActionFunctionArgs) => apiWebhookEndpoints(request);
