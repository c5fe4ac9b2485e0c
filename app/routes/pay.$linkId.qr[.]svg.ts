import type { LoaderFunctionArgs } from "@remix-run/node";
import { linkQr } from "~/web/payment-links/qr.server";

// GET /pay/:linkId/qr.svg: the link's QR code for print.
export const loader = ({ request, params }: LoaderFunctionArgs) => linkQr(request, params.linkId, "svg");
