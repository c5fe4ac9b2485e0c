import type { ActionFunctionArgs } from "@remix-run/node";
import { sandboxTransitionHttp } from "~/web/sandbox/http.server";

// POST /sandbox/v1/authorizations/:id/void
export const loader = ({ request, params }: ActionFunctionArgs) => sandboxTransitionHttp(request, params.authorizationId, "void");
export const action = ({ request, params }: ActionFunctionArgs) => sandboxTransitionHttp(request, params.authorizationId, "void");
