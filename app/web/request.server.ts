/**
 * What we know about the caller. The express server (app/server/security-headers.ts)
 * overwrites CLIENT_IP_HEADER with the socket address (or the proxy's, when express
 * is told to trust one), so a client cannot pick its own IP to dodge the login limit.
 * Without the server (tests, other adapters) the first X-Forwarded-For hop is used.
 */
export const CLIENT_IP_HEADER = "x-mc-client-ip";

export function clientIp(request: Request): string | null {
  const direct = request.headers.get(CLIENT_IP_HEADER);
  if (direct) return direct.slice(0, 100);
  const xff = request.headers.get("x-forwarded-for");
  if (xff) return xff.split(",")[0]!.trim().slice(0, 100) || null;
  return null;
}

export function userAgent(request: Request): string | null {
  const ua = request.headers.get("user-agent");
  return ua ? ua.slice(0, 500) : null;
}

/** HTTPS as the browser sees it (directly, or behind a TLS-terminating proxy). */
export function isHttps(request: Request): boolean {
  const url = new URL(request.url);
  if (url.protocol === "https:") return true;
  return (request.headers.get("x-forwarded-proto") ?? "").split(",")[0]?.trim() === "https";
}

/** A redirect target we are willing to follow: a local path, never another host. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  if (/[\r\n]/.test(to)) return fallback;
  return to;
}

/** The posted form, or an empty one when the body is missing or not a form (never a 500). */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    return new FormData();
  }
}
