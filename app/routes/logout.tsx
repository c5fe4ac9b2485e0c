import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { getOptionalContext, originAllowed, refuseCsrf } from "~/web/guard.server";
import { loginFlow } from "~/web/sign-in.server";
import { readForm } from "~/web/request.server";
import { safeEqual } from "~/modules/auth/session.server";
import { clearSessionCookie } from "~/web/session-cookie.server";

// Signing out is a POST with the CSRF token (a link or image cannot sign anyone out).
export async function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  const ctx = await getOptionalContext(request);
  if (ctx) {
    if (!originAllowed(request)) await refuseCsrf(request, "origin", ctx);
    const token = (await readForm(request)).get("_csrf");
    if (typeof token !== "string" || !safeEqual(token, ctx.session.csrfToken)) await refuseCsrf(request, "token", ctx);
  }
  // A session that already timed out has nothing left to end but the cookie.
  await loginFlow.signOut(request);
  return redirect("/login?reason=signed_out", { headers: { "Set-Cookie": clearSessionCookie(request) } });
}
