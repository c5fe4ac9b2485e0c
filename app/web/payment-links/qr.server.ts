/** The QR code of a payment link's public URL, as SVG (print) or PNG (chat apps, Instagram stories). */
import QRCode from "qrcode";
import { publicOrigin } from "~/web/request.server";
import { resolvePublicLink } from "~/modules/payment-links/checkout.server";
import { resolvePublicPlan, subscribePath } from "~/modules/subscriptions/subscribe.server";

export async function linkQr(request: Request, linkId: string | undefined, type: "svg" | "png"): Promise<Response> {
  const pl = linkId ? await resolvePublicLink(linkId) : null;
  if (!pl) return new Response("No such payment link.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return qrResponse(`${publicOrigin(request)}/pay/${pl.link.id}`, pl.link.id, type);
}

/** The QR code of a plan's public subscribe page. */
export async function planQr(request: Request, merchantId: string | undefined, planId: string | undefined, type: "svg" | "png"): Promise<Response> {
  const pp = merchantId && planId ? await resolvePublicPlan(merchantId, planId) : null;
  if (!pp) return new Response("No such plan.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return qrResponse(`${publicOrigin(request)}${subscribePath(pp.merchant.id, pp.plan.id)}`, pp.plan.id, type);
}

/** A public page's address as a QR code (SVG, or a 600-pixel PNG), named after the object, cached for an hour. */
async function qrResponse(url: string, name: string, type: "svg" | "png"): Promise<Response> {
  const headers = { "Cache-Control": "public, max-age=3600", "Content-Disposition": `inline; filename="${name}.${type}"` };
  if (type === "svg") {
    const svg = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
    return new Response(svg, { headers: { ...headers, "Content-Type": "image/svg+xml" } });
  }
  const png = await QRCode.toBuffer(url, { type: "png", errorCorrectionLevel: "M", margin: 2, width: 600 });
  return new Response(new Uint8Array(png), { headers: { ...headers, "Content-Type": "image/png" } });
}
