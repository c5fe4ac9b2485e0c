import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiGetEvent } from "~/web/events/api.server";
import { methodNotAllowed } from "~/web/edge/api.server";

// GET /api/v1/events/:id
export const loader = ({ request, params }: LoaderFunctionArgs) => apiGetEvent(request, params.eventId);
export const action = (_: ActionFunctionArgs) => methodNotAllowed(["GET"]);
