import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { sandboxRefundHttp } from "~/web/sandbox/http.server";

// POST /sandbox/v1/refunds { reference, authorization, amount }; GET ?reference=... (inquiry).
export const loader = ({ request }: LoaderFunctionArgs) => sandboxRefundHttp(request);
export const action = ({ request }: ActionFunctionArgs) => sandboxRefundHttp(request);
