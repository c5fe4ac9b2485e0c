import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { sandboxAuthorizeHttp } from "~/web/sandbox/http.server";

// POST /sandbox/v1/authorizations (authorize); GET ?reference=... (inquiry).
export const loader = ({ request }: LoaderFunctionArgs) => sandboxAuthorizeHttp(request);
export const action = ({ request }: ActionFunctionArgs) => sandboxAuthorizeHttp(request);
