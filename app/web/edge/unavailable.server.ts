/**
 * The database went away (restart, failover, network): every request still gets an
 * answer, and it says what happened. The API answers 503 with its error envelope and
 * Retry-After; a console page answers 503 with a page in the reader's language saying
 * the console is briefly unavailable and nothing was lost. Nothing here touches the
 * database: the page is built from the request alone (language cookie or ?lang).
 */
import { localeFromTag, type Locale } from "~/lib/i18n/locales";
import { LOCALE_COOKIE, readCookie } from "~/web/cookies.server";
import { translator } from "~/lib/i18n/translate";
import { anonymousPreferences, preferencesTag } from "~/lib/i18n/preferences";

/** Seconds a client should wait before retrying (the pool reconnects within a second). */
export const RETRY_AFTER_SECONDS = 2;

// postgres.js's own connection codes, Node's socket errors, and the SQLSTATEs a server
// sends while it shuts down, starts up or refuses connections.
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down, in recovery)
  "53300", // too_many_connections
]);

/** True when `error` (or what it wraps: drizzle puts the driver's error in `cause`) means the database cannot be reached right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 6 && e && typeof e === "object"; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (CONNECTION_CODES.has(code) || code.startsWith("08"))) return true;
    const errno = (e as { errno?: unknown }).errno;
    if (typeof errno === "string" && CONNECTION_CODES.has(errno)) return true;
    // AggregateError (a host with several addresses, each refused).
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner) && inner.some((x) => isDatabaseUnavailable(x))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}


/** The reader's language without the database: ?lang, else the console's language cookie, else English. */
export function readerLocale(request: Request): Locale {
  let fromQuery: Locale | null = null;
  try {
    fromQuery = localeFromTag(new URL(request.url).searchParams.get("lang"));
  } catch {
    fromQuery = null;
  }
  return fromQuery ?? localeFromTag(readCookie(request, LOCALE_COOKIE)) ?? "en";
}

export function apiUnavailableBody() {
  return {
    error: {
      type: "api_error",
      code: "database_unavailable",
      message: `The service is briefly unavailable (its database cannot be reached). Nothing was lost. Retry in ${RETRY_AFTER_SECONDS} seconds; a POST retried with the same Idempotency-Key returns the first outcome and never charges twice.`,
      param: null,
    },
  };
}

export function apiUnavailable(): Response {
  return new Response(JSON.stringify(apiUnavailableBody()), {
    status: 503,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      "Retry-After": String(RETRY_AFTER_SECONDS),
    },
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The console's 503 page: plain HTML and CSS, no script, reloads itself (meta refresh). */
export function unavailablePage(locale: Locale, nonce?: string): string {
  const t = translator(preferencesTag(anonymousPreferences(locale)));
  const dir = locale === "fa" ? "rtl" : "ltr";
  const nonceAttr = nonce ? ` nonce="${escapeHtml(nonce)}"` : "";
  return `<!doctype html>
<html lang="${locale}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<meta http-equiv="refresh" content="${RETRY_AFTER_SECONDS * 5}">
<title>${escapeHtml(t("unavailable.pageTitle"))}</title>
<style${nonceAttr}>
  :root { color-scheme: light dark; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 1.5rem; box-sizing: border-box;
    font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, Vazirmatn, Tahoma, sans-serif; background: #f6f7f9; color: #1d2330; }
  main { max-width: 34rem; width: 100%; background: #fff; border: 1px solid #e2e5ea; border-radius: 12px; padding: 2rem; box-sizing: border-box; }
  h1 { font-size: 1.35rem; line-height: 1.35; margin: 0 0 0.75rem; }
  p { margin: 0 0 0.75rem; }
  .muted { color: #5b6475; font-size: 0.95rem; }
  a { display: inline-block; margin-top: 0.5rem; padding: 0.55rem 1rem; border-radius: 8px; background: #2952cc; color: #fff; text-decoration: none; }
  a:focus-visible { outline: 3px solid #9db4ff; outline-offset: 2px; }
  @media (prefers-color-scheme: dark) { body { background: #12151b; color: #e8ebf1; } main { background: #1b2029; border-color: #2c3340; } .muted { color: #a6afbf; } }
</style>
</head>
<body>
<main role="alert" aria-labelledby="t">
<h1 id="t">${escapeHtml(t("unavailable.title"))}</h1>
<p>${escapeHtml(t("unavailable.body"))}</p>
<p class="muted">${escapeHtml(t("unavailable.retry"))}</p>
<a href="">${escapeHtml(t("unavailable.retryNow"))}</a>
</main>
</body>
</html>`;
}

/**
 * The 503 for any request: the API and the sandbox provider answer their JSON envelope;
 * a Remix data request gets the sentence as a caught response (the page's error boundary
 * shows it); a page gets the HTML page.
 */
export function unavailableResponse(request: Request, nonce?: string): Response {
  const url = new URL(request.url);
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/sandbox/")) return apiUnavailable();
  const locale = readerLocale(request);
  const headers = { "Cache-Control": "no-store", "Retry-After": String(RETRY_AFTER_SECONDS) };
  if (url.searchParams.has("_data")) {
    const t = translator(preferencesTag(anonymousPreferences(locale)));
    return new Response(JSON.stringify(`${t("unavailable.title")}. ${t("unavailable.body")}`), {
      status: 503,
      headers: { ...headers, "Content-Type": "application/json; charset=utf-8", "X-Remix-Catch": "yes" },
    });
  }
  return new Response(request.method === "HEAD" ? null : unavailablePage(locale, nonce), {
    status: 503,
    headers: { ...headers, "Content-Type": "text/html; charset=utf-8" },
  });
}
