import type { ActionFunctionArgs } from "@remix-run/node";
import { sandboxTokenFormHttp } from "~/web/sandbox/http.server";

// The sandbox provider's card form endpoint for pages without JavaScript:
// POST number, exp (MM/YY), cvc, return_url -> 303 to return_url?token=tok_... (or card_error=...).
export const loader = ({ request }: ActionFunctionArgs) => sandboxTokenFormHttp(request);
export const action = ({ request }: ActionFunctionArgs) => sandboxTokenFormHttp(request);
