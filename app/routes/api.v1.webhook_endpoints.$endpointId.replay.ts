import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiReplayWebhook } from "~/web/events/api.server";
import { methodNotAllowed } from "~/web/edge/api.server";

// POST /api/v1/webhook_endpoints/:id/replay { "after": <sequence> }
export const loader = (_: LoaderFunctionArgs) => methodNotAllowed(["POST"]);
export const action = ({ request, params }: ActionFunctionArgs) => apiReplayWebhook(request, params.endpointId);
