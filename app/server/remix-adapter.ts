/**
 * Remix's express adapter (@remix-run/express 2.17), ours so the server can:
 * - answer 503 instead of Remix's 500 when a loader or action lost the database;
 * - build request.url from the socket's Host alone unless TRUST_PROXY=1 (the stock
 *   adapter took the port from X-Forwarded-Host whatever the proxy setting).
 */
import type express from "express";
import compression from "compression";
import { createReadableStreamFromReadable, writeReadableStreamToWritable } from "@remix-run/node";
import { env } from "../lib/env.server";

/** The request's absolute URL: the socket's Host, or X-Forwarded-Host behind a trusted proxy. */
function requestUrl(req: express.Request): string {
  const trustProxy = env.TRUST_PROXY;
  const hostHeader = (trustProxy ? req.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined) || req.get("host") || "localhost";
  // req.protocol honours X-Forwarded-Proto only when express trusts the proxy.
  let url: URL;
  try {
    url = new URL(`${req.protocol}://${hostHeader}${req.originalUrl}`);
  } catch {
    url = new URL(`${req.protocol}://localhost${req.originalUrl.startsWith("/") ? req.originalUrl : "/"}`);
  }
  return url.href;
}

function requestHeaders(req: express.Request): Headers {
  const headers = new Headers();
  for (const [key, values] of Object.entries(req.headers)) {
    if (!values) continue;
    if (Array.isArray(values)) for (const v of values) headers.append(key, v);
    else headers.set(key, values);
  }
  return headers;
}

export function createRemixRequest(req: express.Request, res: express.Response): Request {
  let controller: AbortController | null = new AbortController();
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers: requestHeaders(req), signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = createReadableStreamFromReadable(req);
    init.duplex = "half";
  }
  // Abort loaders and actions once no response can be written (close without finish).
  res.on("finish", () => (controller = null));
  res.on("close", () => controller?.abort());
  return new Request(requestUrl(req), init);
}

/**
 * The API's request (app/server/api-routes.ts): the same URL and headers, without a body
 * stream (the server reads the body from Node's request and hands it over, body-handoff.ts)
 * and without an abort signal of ours (no API loader or action reads one).
 */
export function createApiRequest(req: express.Request): Request {
  return new Request(requestUrl(req), { method: req.method, headers: requestHeaders(req) });
}

export async function sendRemixResponse(res: express.Response, response: Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [key, value] of response.headers.entries()) res.append(key, value);
  if (response.headers.get("Content-Type")?.match(/text\/event-stream/i)) res.flushHeaders();
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}

/**
 * A response whose body the edge made from a string (body-handoff.ts), written as
 * sendRemixResponse writes it, but with its Content-Length and in one `res.end` (one socket
 * write, no web stream read). It is left uncompressed, as compression() leaves a body under
 * its threshold: the caller sends larger ones through compression; the Vary compression()
 * adds to a compressible type is added here.
 */
export function sendTextResponse(req: express.Request, res: express.Response, response: Response, text: string): void {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [key, value] of response.headers.entries()) res.append(key, value);
  if (compression.filter(req, res) && !/(?:^|,)\s*no-transform\s*(?:,|$)/i.test(String(res.getHeader("Cache-Control") ?? ""))) {
    const vary = res.getHeader("Vary");
    if (vary === undefined) res.setHeader("Vary", "Accept-Encoding");
    else if (!String(vary).split(",").some((f) => ["accept-encoding", "*"].includes(f.trim().toLowerCase()))) res.setHeader("Vary", `${String(vary)}, Accept-Encoding`);
  }
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}
