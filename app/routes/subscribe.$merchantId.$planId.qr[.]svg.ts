import type { LoaderFunctionArgs } from "@remix-run/node";
import { planQr } from "~/web/payment-links/qr.server";

// GET /subscribe/:merchantId/:planId/qr.svg: the plan's subscribe page as a QR code.
export const loader = ({ request, params }: LoaderFunctionArgs) => planQr(request, params.merchantId, params.planId, "svg");
