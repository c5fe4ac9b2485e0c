/**
 * The answer to input the edge refuses (app/web/edge/input-guard.ts): 400 naming the
 * field and what to do. The API and the sandbox answer their JSON envelope; a console
 * page answers a small page in the reader's language; a Remix data request a caught
 * response its error boundary shows.
 */
import { translator } from "~/lib/i18n/translate";
import { anonymousPreferences, preferencesTag } from "~/lib/i18n/preferences";
import type { Locale } from "~/lib/i18n/locales";
import type { InputProblem } from "./input-guard";
import { readerLocale } from "./unavailable.server";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function badInputSentence(p: InputProblem, locale: Locale): string {
  const t = translator(preferencesTag(anonymousPreferences(locale)));
  const what =
    p.kind === "control"
      ? t("badInput.control")
      : p.kind === "surrogate"
        ? t("badInput.surrogate")
        : p.kind === "tooLong"
          ? t("badInput.tooLong", { max: p.max ?? 0 })
          : t("badInput.date", { min: "1970-01-01", max: "2100-12-31" });
  return t("badInput.field", { field: p.field, problem: what });
}

export function badInputPage(p: InputProblem, locale: Locale): string {
  const t = translator(preferencesTag(anonymousPreferences(locale)));
  return `<!doctype html>
<html lang="${locale}" dir="${locale === "fa" ? "rtl" : "ltr"}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="/favicon.svg" type="image/svg+xml">
<title>${escapeHtml(t("error.didNotWork"))}</title>
<style>body{margin:0;min-height:100vh;display:grid;place-items:center;padding:1.5rem;box-sizing:border-box;font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,Vazirmatn,Tahoma,sans-serif;background:#f6f7f9;color:#1d2330}main{max-width:34rem;width:100%;background:#fff;border:1px solid #e2e5ea;border-radius:12px;padding:2rem;box-sizing:border-box}h1{font-size:1.3rem;margin:0 0 .75rem}code{overflow-wrap:anywhere}a{color:#2952cc}</style>
</head>
<body><main role="alert" aria-labelledby="t">
<h1 id="t">${escapeHtml(t("badInput.title"))}</h1>
<p><strong>${escapeHtml(badInputSentence(p, locale))}</strong></p>
<p>${escapeHtml(t("badInput.back"))}</p>
<p><a href="/">${escapeHtml(t("error.goToConsole"))}</a></p>
</main></body></html>`;
}

export function badInputResponse(request: Request, p: InputProblem): Response {
  const url = new URL(request.url);
  const headers = { "Cache-Control": "no-store" };
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/sandbox/")) {
    return new Response(JSON.stringify({ error: { type: "invalid_request_error", code: "parameter_invalid", message: p.message, param: p.field } }), {
      status: 400,
      headers: { ...headers, "Content-Type": "application/json; charset=utf-8" },
    });
  }
  const locale = readerLocale(request);
  if (url.searchParams.has("_data")) {
    return new Response(JSON.stringify(badInputSentence(p, locale)), {
      status: 400,
      headers: { ...headers, "Content-Type": "application/json; charset=utf-8", "X-Remix-Catch": "yes" },
    });
  }
  return new Response(request.method === "HEAD" ? null : badInputPage(p, locale), { status: 400, headers: { ...headers, "Content-Type": "text/html; charset=utf-8" } });
}
