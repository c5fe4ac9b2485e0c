import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { z } from "zod";
import { homePath } from "~/lib/permissions";
import { forbidden, requireAction } from "~/web/guard.server";
import { switchMerchant } from "~/modules/access/membership.server";
import { clientOf } from "~/web/request.server";

export async function loader() {
  return redirect("/");
}

const schema = z.object({ merchantId: z.string().min(1).max(100) });

export async function action({ request }: ActionFunctionArgs) {
  const { ctx, form } = await requireAction(request, null);
  const parsed = schema.safeParse({ merchantId: form.get("merchantId") });
  if (!parsed.success) {
    throw new Response("Choose a merchant to switch to.", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const role = await switchMerchant(ctx, parsed.data.merchantId, clientOf(request));
  if (!role) throw forbidden("You are not a member of that merchant, so you cannot switch to it.");
  // Ids in the current URL belong to the old merchant: start at the new one's home page.
  return redirect(homePath(role));
}
