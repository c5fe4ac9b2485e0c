import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import type { MessageKey } from "~/lib/i18n/en";
import { useT } from "~/lib/i18n/react";

/**
 * The sentence a refusal carries: text bodies as is, json bodies' error.message.
 * `fallback` words the cases without one (pass the reader's translations).
 */
export function errorMessage(
  error: unknown,
  fallback: { refused: string; failed: string } = {
    refused: "The request was refused.",
    failed: "Something went wrong on our side. Try again in a moment.",
  },
): { status: number; message: string } {
  if (isRouteErrorResponse(error)) {
    const data = error.data as unknown;
    if (typeof data === "string" && data.trim()) return { status: error.status, message: data };
    if (data && typeof data === "object" && "error" in data) {
      const inner = (data as { error?: { message?: unknown } }).error;
      if (typeof inner?.message === "string") return { status: error.status, message: inner.message };
    }
    return { status: error.status, message: error.statusText || fallback.refused };
  }
  return { status: 500, message: fallback.failed };
}

function titleKey(status: number): MessageKey {
  if (status === 403) return "error.notAllowed";
  if (status === 404) return "error.notFound";
  if (status === 429) return "error.tooManyAttempts";
  if (status >= 400 && status < 500) return "error.didNotWork";
  return "error.somethingWrong";
}

/**
 * A route's ErrorBoundary: `export { RouteErrorBoundary as ErrorBoundary }`. It renders
 * inside the signed-in shell (the layout route stays), so a refusal reads as a page.
 */
export function RouteErrorBoundary() {
  const t = useT();
  const { status, message } = errorMessage(useRouteError(), {
    refused: t("error.requestRefused"),
    failed: t("error.tryAgainLater"),
  });
  return (
    <section className="card" role="alert" aria-labelledby="route-error-title">
      <h1 id="route-error-title">{t(titleKey(status))}</h1>
      <p>{message}</p>
      <p className="muted">{t("error.status", { status })}</p>
      <p>
        <Link to="/">{t("error.backToConsole")}</Link>
      </p>
    </section>
  );
}
