import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed } from "~/web/edge/api.server";
import { apiSubscriptions } from "~/web/subscriptions/api.server";

// POST /api/v1/subscriptions/:id/resume
export const loader = (_: LoaderFunctionArgs) => methodNotAllowed(["POST"]);
export const action = ({ request, params }: ActionFunctionArgs) => apiSubscriptions.change(request, params.subscriptionId, "resume");
