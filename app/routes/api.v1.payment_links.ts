import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiCreateLink, apiListLinks } from "~/web/payment-links/api.server";

// GET /api/v1/payment_links (list) and POST /api/v1/payment_links (create).
export const loader = ({ request }: LoaderFunctionArgs) => apiListLinks(request);
export const action = ({ request }: ActionFunctionArgs) => apiCreateLink(request);
