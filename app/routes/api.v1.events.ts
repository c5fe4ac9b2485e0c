import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiListEvents } from "~/web/events/api.server";
import { methodNotAllowed } from "~/web/edge/api.server";

// GET /api/v1/events?after=<sequence>&type=<type>
export const loader = ({ request }: LoaderFunctionArgs) => apiListEvents(request);
export const action = (_: ActionFunctionArgs) => methodNotAllowed(["GET"]);
