import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";

/** The sentence a refusal carries: text bodies as is, json bodies' error.message. */
export function errorMessage(error: unknown): { status: number; message: string } {
  if (isRouteErrorResponse(error)) {
    const data = error.data as unknown;
    if (typeof data === "string" && data.trim()) return { status: error.status, message: data };
    if (data && typeof data === "object" && "error" in data) {
      const inner = (data as { error?: { message?: unknown } }).error;
      if (typeof inner?.message === "string") return { status: error.status, message: inner.message };
    }
    return { status: error.status, message: error.statusText || "The request was refused." };
  }
  return { status: 500, message: "Something went wrong on our side. Try again in a moment." };
}

function title(status: number): string {
  if (status === 403) return "Not allowed";
  if (status === 404) return "Not found";
  if (status === 429) return "Too many attempts";
  if (status >= 400 && status < 500) return "That did not work";
  return "Something went wrong";
}

/**
 * A route's ErrorBoundary: `export { RouteErrorBoundary as ErrorBoundary }`. It renders
 * inside the signed-in shell (the layout route stays), so a refusal reads as a page.
 */
export function RouteErrorBoundary() {
  const { status, message } = errorMessage(useRouteError());
  return (
    <section className="card" role="alert" aria-labelledby="route-error-title">
      <h1 id="route-error-title">{title(status)}</h1>
      <p>{message}</p>
      <p className="muted">Error {status}</p>
      <p>
        <Link to="/">Back to the console</Link>
      </p>
    </section>
  );
}
