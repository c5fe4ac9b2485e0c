/**
 * Remix's express adapter (@remix-run/express 2.17), ours so the server can:
 * - answer 503 instead of Remix's 500 when a loader or action lost the database;
 * - build request.url from the socket's Host alone unless TRUST_PROXY=1 (the stock
 *   adapter took the port from X-Forwarded-Host whatever the proxy setting).
 */
import type express from "express";
import { createReadableStreamFromReadable, writeReadableStreamToWritable } from "@remix-run/node";
import { env } from "../lib/env.server";

export function createRemixRequest(req: express.Request, res: express.Response): Request {
  const trustProxy = env.TRUST_PROXY;
  const hostHeader = (trustProxy ? req.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined) || req.get("host") || "localhost";
  // req.protocol honours X-Forwarded-Proto only when express trusts the proxy.
  let url: URL;
  try {
    url = new URL(`${req.protocol}://${hostHeader}${req.originalUrl}`);
  } catch {
    url = new URL(`${req.protocol}://localhost${req.originalUrl.startsWith("/") ? req.originalUrl : "/"}`);
  }
  let controller: AbortController | null = new AbortController();
  const headers = new Headers();
  for (const [key, values] of Object.entries(req.headers)) {
    if (!values) continue;
    if (Array.isArray(values)) for (const v of values) headers.append(key, v);
    else headers.set(key, values);
  }
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = createReadableStreamFromReadable(req);
    init.duplex = "half";
  }
  // Abort loaders and actions once no response can be written (close without finish).
  res.on("finish", () => (controller = null));
  res.on("close", () => controller?.abort());
  return new Request(url.href, init);
}

export async function sendRemixResponse(res: express.Response, response: Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [key, value] of response.headers.entries()) res.append(key, value);
  if (response.headers.get("Content-Type")?.match(/text\/event-stream/i)) res.flushHeaders();
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}
