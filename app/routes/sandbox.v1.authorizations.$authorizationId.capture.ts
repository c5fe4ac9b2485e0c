import type { ActionFunctionArgs } from "@remix-run/node";
import { sandboxTransitionHttp } from "~/web/sandbox/http.server";

// POST /sandbox/v1/authorizations/:id/capture { amount }
export const loader = ({ request, params }: ActionFunctionArgs) => sandboxTransitionHttp(request, params.authorizationId, "capture");
export const action = ({ request, params }: ActionFunctionArgs) => sandboxTransitionHttp(request, params.authorizationId, "capture");
