/**
 * `/api/v1/*` without Remix's request pipeline.
 *
 * The API's route modules are resource routes: Remix matches the URL against every route
 * of the app (React Router's ranking), copies the request twice (stripping ?index and
 * ?_data) and runs the module's loader or action through its data strategy. For a payment
 * that was a measurable share of the server's CPU (issue 22), for nothing the API uses.
 * Here an Express handler matches the URL against the API's own routes (taken from the
 * same build, so the same modules and controllers answer) and calls the loader or action
 * itself with the same `request`, `params` and `context`. Everything in front of Remix
 * (compression, security headers, the input guard) still runs first, and everything after
 * it is done as Remix's adapter does: the 503 for a lost database, HEAD without a body, a
 * thrown Response answered as is, anything else 500 through the entry's handleError.
 * Writes wait their turn in `deps.admission` (API_MAX_IN_FLIGHT per process), in arrival order.
 *
 * Only an exact match is taken: a path with an encoded character, a trailing or doubled
 * slash, a ?_data or ?index parameter, a method the module has no function for, or a URL
 * two routes could match goes on to Remix, which answers it as before.
 */
import type express from "express";
import type { ServerBuild } from "@remix-run/node";

type Handler = (args: { request: Request; params: Record<string, string>; context: unknown }) => unknown;

interface ApiRoute {
  id: string;
  /** Path segments: a literal, or null for a `:param` (whose name is in `names`). */
  segments: (string | null)[];
  names: (string | null)[];
  loader?: Handler;
  action?: Handler;
}

export interface ApiMatch {
  route: ApiRoute;
  params: Record<string, string>;
  fn: Handler;
}

/** The API's routes of a build: resource routes under api/v1 with a plain path (no splat, no optional segment). */
export function apiRouteTable(routes: ServerBuild["routes"]): ApiRoute[] {
  const table: ApiRoute[] = [];
  for (const r of Object.values(routes)) {
    if (!r || typeof r.path !== "string" || r.parentId !== "root") continue;
    const path = r.path.replace(/^\/+/, "");
    if (!path.startsWith("api/v1/") || /[*?]/.test(path)) continue;
    const module = r.module as { default?: unknown; ErrorBoundary?: unknown; loader?: Handler; action?: Handler };
    // A route with a component renders pages: Remix's job.
    if (module.default != null || module.ErrorBoundary != null) continue;
    const parts = path.split("/");
    table.push({
      id: r.id,
      segments: parts.map((p) => (p.startsWith(":") ? null : p)),
      names: parts.map((p) => (p.startsWith(":") ? p.slice(1) : null)),
      loader: module.loader,
      action: module.action,
    });
  }
  return table;
}

/** The one route of the table for this method and URL, or null (then Remix answers). */
export function matchApiRoute(table: ApiRoute[], method: string, originalUrl: string): ApiMatch | null {
  const q = originalUrl.indexOf("?");
  const pathname = q < 0 ? originalUrl : originalUrl.slice(0, q);
  if (!pathname.startsWith("/api/v1/") || pathname.includes("%") || pathname.includes("//") || pathname.endsWith("/")) return null;
  if (q >= 0) {
    const search = new URLSearchParams(originalUrl.slice(q + 1));
    if (search.has("_data") || search.has("index")) return null;
  }
  const parts = pathname.slice(1).split("/");
  let found: ApiMatch | null = null;
  for (const route of table) {
    if (route.segments.length !== parts.length) continue;
    let ok = true;
    for (let i = 0; i < parts.length; i++) {
      const s = route.segments[i];
      if (s === null ? parts[i] === "" : s !== parts[i]) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    // Two routes match (a literal and a parameter at one place): Remix's ranking decides.
    if (found) return null;
    const params: Record<string, string> = {};
    route.names.forEach((n, i) => {
      if (n) params[n] = parts[i]!;
    });
    const fn = method === "GET" || method === "HEAD" ? route.loader : method === "OPTIONS" ? undefined : route.action;
    if (!fn) return null;
    found = { route, params, fn };
  }
  return found;
}

function isResponse(v: unknown): v is Response {
  const r = v as Response | null;
  return r != null && typeof r.status === "number" && typeof r.statusText === "string" && typeof r.headers === "object" && typeof r.body !== "undefined";
}

export interface ApiRouteDeps {
  createRequest(req: express.Request, res: express.Response): Request;
  loadContext(res: express.Response): { cspNonce?: string; databaseUnavailable: boolean };
  send(res: express.Response, response: Response): Promise<void>;
  unavailable(request: Request, nonce: string | undefined): Response;
  /** Runs a GET in its request store (as the Remix handler does). */
  scoped<T>(fn: () => T): T;
  /** Where the writes (any method but GET and HEAD) wait their turn (app/server/admission.ts); none: each runs at once. */
  admission?: { run<T>(task: () => Promise<T>): Promise<T> };
}

/** Express middleware answering the API's routes of `build` itself; anything else goes on (to Remix). */
export function apiRoutes(build: ServerBuild, deps: ApiRouteDeps): express.RequestHandler {
  const table = apiRouteTable(build.routes);
  const handleError = (build.entry.module as { handleError?: (e: unknown, args: unknown) => void }).handleError;
  return (req, res, next) => {
    const match = matchApiRoute(table, req.method, req.originalUrl);
    if (!match) return next();
    const run = async () => {
      const request = deps.createRequest(req, res);
      const context = deps.loadContext(res);
      let response: Response;
      try {
        const result = await match.fn({ request, params: match.params, context });
        response = isResponse(result) ? result : Response.json(result);
      } catch (error) {
        if (isResponse(error)) {
          error.headers.set("X-Remix-Catch", "yes");
          response = error;
        } else {
          if (handleError) handleError(error, { request, params: match.params, context });
          else if (!request.signal.aborted) console.error(error);
          response = new Response("Unexpected Server Error", { status: 500, headers: { "Content-Type": "text/plain" } });
        }
      }
      if (context.databaseUnavailable && response.status >= 500) response = deps.unavailable(request, context.cspNonce);
      if (req.method === "HEAD") response = new Response(null, { headers: response.headers, status: response.status, statusText: response.statusText });
      await deps.send(res, response);
    };
    const done = (p: Promise<void>) => p.catch(next);
    if (req.method === "GET" || req.method === "HEAD") done(deps.scoped(run));
    else done(deps.admission ? deps.admission.run(run) : run());
  };
}
