import type { ActionFunctionArgs } from "@remix-run/node";
import { sandboxTokenizeHttp } from "~/web/sandbox/http.server";

// The sandbox provider's vault: POST /sandbox/v1/tokens { number, exp_month, exp_year, cvc }.
export const loader = ({ request }: ActionFunctionArgs) => sandboxTokenizeHttp(request);
export const action = ({ request }: ActionFunctionArgs) => sandboxTokenizeHttp(request);
