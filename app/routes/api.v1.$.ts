import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiNotFound } from "~/web/payments/api.server";

// Anything else under /api/v1 answers in the API's JSON error shape, not an HTML page.
export const loader = ({ request }: LoaderFunctionArgs) => apiNotFound(request);
export const action = ({ request }: ActionFunctionArgs) => apiNotFound(request);
