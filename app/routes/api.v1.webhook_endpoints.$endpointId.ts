import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiWebhookEndpoint } from "~/web/events/api.server";

// GET, POST (change), DELETE /api/v1/webhook_endpoints/:id
export const loader = ({ request, params }: LoaderFunctionArgs) => apiWebhookEndpoint(request, params.endpointId);
export const action = ({ request, params }: ActionFunctionArgs) => apiWebhookEndpoint(request, params.endpointId);
