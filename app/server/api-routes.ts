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
 * (security headers, the input guard) still runs first, and everything after
 * it is done as Remix's adapter does: the 503 for a lost database, HEAD without a body, a
 * thrown Response answered as is, anything else 500 through the entry's handleError.
 * Writes wait their turn in `deps.admission` (API_MAX_IN_FLIGHT per process), in arrival order.
 *
 * What Remix's adapter does with web streams is done here with Node's: the body (at most
 * MAX_BODY_BYTES) is read from Node's request and handed to the edge's readJsonBody, and a
 * JSON answer is written with one `res.end` and its Content-Length; compression() is
 * skipped for these requests and applied only to answers of COMPRESS_FROM bytes or more
 * (below that it sent them as they were, adding only its Vary).
 *
 * Only an exact match is taken: a path with an encoded character, a trailing or doubled
 * slash, a ?_data or ?index parameter, a method the module has no function for, or a URL
 * two routes could match goes on to Remix, which answers it as before.
 */
import type express from "express";
import type { ServerBuild } from "@remix-run/node";
import { handBody, handedText, type HandedBody } from "../web/edge/body-handoff";
import { MAX_BODY_BYTES } from "../web/edge/json.server";

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
  /** The request handed to the route module: no body stream (the body is read here and handed over, body-handoff.ts). */
  createRequest(req: express.Request): Request;
  loadContext(res: express.Response): { cspNonce?: string; databaseUnavailable: boolean };
  send(res: express.Response, response: Response): Promise<void>;
  /** A response made from a string (handedText), written whole with its Content-Length. */
  sendText(req: express.Request, res: express.Response, response: Response, text: string): void;
  /** The server's compression middleware: the API's requests skip it up front and only an answer of COMPRESS_FROM bytes or more goes through it. */
  compress: express.RequestHandler;
  unavailable(request: Request, nonce: string | undefined): Response;
  /** Runs a GET in its request store (as the Remix handler does). */
  scoped<T>(fn: () => T): T;
  /** Where the writes (any method but GET and HEAD) wait their turn (app/server/admission.ts); none: each runs at once. */
  admission?: { run<T>(task: () => Promise<T>): Promise<T> };
}

/** compression()'s default threshold: a smaller body is sent as is. */
export const COMPRESS_FROM = 1024;

/**
 * A request body read straight from Node's request: at most `max` bytes kept; past them
 * "too_large" at once (the rest is drained and dropped); a body declared larger is not read
 * at all (readJsonBody refuses it by its Content-Length). A failed read is handed over as its error.
 */
export function readRequestBody(req: express.Request, max: number): Promise<HandedBody> {
  if (Number(req.headers["content-length"] ?? "0") > max) return Promise.resolve("too_large");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const finish = (body: HandedBody) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (over) return;
      if (size > max) {
        // Refused at once; the rest is drained unread (the stream stays flowing with no
        // listener, as Node drains a body nobody read) so the client still gets its 413.
        over = true;
        chunks.length = 0;
        finish("too_large");
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(over ? "too_large" : Buffer.concat(chunks, size));
    const onError = (e: Error) => finish(e);
    const onClose = () => finish(req.complete ? (over ? "too_large" : Buffer.concat(chunks, size)) : new Error("aborted"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

export interface ApiRoutes {
  /** Whether the API answers this request itself (it then skips the compression middleware: `handler` applies it to large answers). */
  takes(req: express.Request): boolean;
  /** Express middleware answering the API's routes of the build; anything else goes on (to Remix). */
  handler: express.RequestHandler;
}

/** The API's routes of `build`, answered without Remix. */
export function apiRoutes(build: ServerBuild, deps: ApiRouteDeps): ApiRoutes {
  const table = apiRouteTable(build.routes);
  const handleError = (build.entry.module as { handleError?: (e: unknown, args: unknown) => void }).handleError;
  const matches = new WeakMap<express.Request, ApiMatch | null>();
  const matchOf = (req: express.Request) => {
    let match = matches.get(req);
    if (match === undefined) {
      match = matchApiRoute(table, req.method, req.originalUrl);
      matches.set(req, match);
    }
    return match;
  };
  const handler: express.RequestHandler = (req, res, next) => {
    const match = matchOf(req);
    if (!match) return next();
    const send = (response: Response): Promise<void> => {
      const text = handedText(response);
      if (text !== undefined && !(req.headers["accept-encoding"] && Buffer.byteLength(text) >= COMPRESS_FROM)) {
        deps.sendText(req, res, response, text);
        return Promise.resolve();
      }
      return new Promise((resolve, reject) => deps.compress(req, res, (e?: unknown) => (e ? reject(e) : deps.send(res, response).then(resolve, reject))));
    };
    const run = async () => {
      const request = deps.createRequest(req);
      if (req.method !== "GET" && req.method !== "HEAD") handBody(request, await readRequestBody(req, MAX_BODY_BYTES));
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
      await send(response);
    };
    const done = (p: Promise<void>) => p.catch(next);
    if (req.method === "GET" || req.method === "HEAD") done(deps.scoped(run));
    else done(deps.admission ? deps.admission.run(run) : run());
  };
  return { takes: (req) => matchOf(req) !== null, handler };
}
