import type { LoaderFunctionArgs } from "@remix-run/node";
import { linkQr } from "~/web/payment-links/qr.server";

// GET /pay/:linkId/qr.png: the link's QR code as an image to post or send.
export const loader = ({ request, params }: LoaderFunctionArgs) => linkQr(request, params.linkId, "png");
