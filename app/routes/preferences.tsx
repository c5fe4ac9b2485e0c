import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireAction } from "~/web/guard.server";
import { safeRedirect } from "~/web/request.server";
import {
  preferenceChangesSchema,
  resolvePreferences,
  savePreferences,
  serverTranslator,
} from "~/modules/i18n/preferences.server";
import { localeCookie } from "~/web/locale-cookie.server";

// Action only: the form lives on the security page and in the shell's language switcher.
export async function loader() {
  return redirect("/");
}

function backTo(request: Request, form: FormData): string {
  const explicit = form.get("redirectTo");
  if (typeof explicit === "string") return safeRedirect(explicit, "/");
  const referer = request.headers.get("referer");
  if (referer) {
    try {
      const u = new URL(referer);
      if (u.host === new URL(request.url).host) return safeRedirect(u.pathname + u.search, "/");
    } catch {
      // A malformed Referer is no reason to fail a preference change.
    }
  }
  return "/";
}

function withFlag(path: string, key: string, value: string): string {
  const u = new URL(path, "http://x");
  u.searchParams.set(key, value);
  return u.pathname + u.search + u.hash;
}

const FIELD_KEYS = {
  locale: "prefs.language.label",
  digits: "prefs.digits.label",
  irrDisplay: "prefs.irrDisplay.label",
} as const;

export async function action({ request }: ActionFunctionArgs) {
  // Any signed-in member may change their own display preferences: no permission, but CSRF-checked.
  const { ctx, form } = await requireAction(request, null);
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const parsed = preferenceChangesSchema.safeParse({
    locale: field("locale"),
    digits: field("digits"),
    irrDisplay: field("irrDisplay"),
  });
  if (!parsed.success) {
    const t = serverTranslator(resolvePreferences(ctx));
    const issue = parsed.error.issues[0];
    const name = issue?.path[0];
    const message =
      typeof name === "string" && name in FIELD_KEYS
        ? t("prefs.error.invalid", { field: t(FIELD_KEYS[name as keyof typeof FIELD_KEYS]) })
        : t("prefs.error.empty");
    throw new Response(message, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  await savePreferences({ userId: ctx.user.id }, parsed.data);
  const headers = new Headers();
  if (parsed.data.locale) headers.append("Set-Cookie", localeCookie(request, parsed.data.locale));
  const back = backTo(request, form);
  // The security page's form says "saved"; the shell's language switcher just reloads the page.
  return redirect(form.get("intent") === "preferences" ? withFlag(back, "prefs", "saved") : back, { headers });
}
