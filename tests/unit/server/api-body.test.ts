import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import compression from "compression";
import express from "express";
import type { ServerBuild } from "@remix-run/node";
import { apiRoutes } from "../../../app/server/api-routes";
import { createApiRequest, sendRemixResponse, sendTextResponse } from "../../../app/server/remix-adapter";
import { apiJson, readJsonBody } from "../../../app/web/edge/json.server";

/**
 * The API's body and answer without web streams (app/server/api-routes.ts): what a client
 * sees over HTTP. The body is read from Node's request with the edge's limit and order of
 * refusals; a JSON answer is written whole with its length; only answers of 1 KB or more
 * are compressed, and every JSON answer varies on Accept-Encoding as before.
 */
const action = async ({ request }: { request: Request }) => {
  const read = await readJsonBody(request);
  if (!read.ok) return read.response;
  const body = read.body as { pad?: number } | undefined;
  return apiJson(201, { got: body ?? null, pad: "x".repeat(body?.pad ?? 0) });
};
const loader = () => apiJson(200, { object: "list" });
const build = {
  routes: { "routes/api.v1.things": { id: "routes/api.v1.things", parentId: "root", path: "api/v1/things", module: { loader, action } } },
  entry: { module: {} },
} as unknown as ServerBuild;

let server: http.Server;
let port: number;
beforeAll(async () => {
  const app = express();
  const compress = compression();
  const api = apiRoutes(build, {
    createRequest: createApiRequest,
    loadContext: () => ({ databaseUnavailable: false }),
    send: sendRemixResponse,
    sendText: sendTextResponse,
    compress,
    unavailable: () => new Response(null, { status: 503 }),
    scoped: (fn) => fn(),
  });
  app.use((req, res, next) => (api.takes(req) ? next() : compress(req, res, next)));
  app.use(api.handler);
  server = app.listen(0);
  await new Promise((r) => server.once("listening", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

function call(method: string, headers: Record<string, string>, chunks: string[] = []) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const r = http.request({ host: "127.0.0.1", port, path: "/api/v1/things", method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    r.on("error", reject);
    for (const c of chunks) r.write(c);
    r.end();
  });
}
const json = { "content-type": "application/json" };

describe("the API's body and answer over HTTP", () => {
  it("reads a JSON body and answers it whole with its length (no chunked stream), varying on Accept-Encoding", async () => {
    const body = JSON.stringify({ a: 1 });
    const r = await call("POST", { ...json, "content-length": String(body.length), "accept-encoding": "gzip" }, [body]);
    expect(r.status).toBe(201);
    expect(JSON.parse(r.body.toString())).toEqual({ got: { a: 1 }, pad: "" });
    expect(r.headers["content-length"]).toBe(String(r.body.length));
    expect(r.headers["transfer-encoding"]).toBeUndefined();
    expect(r.headers["content-encoding"]).toBeUndefined();
    expect(r.headers.vary).toBe("Accept-Encoding");
  });

  it("reads a body sent in chunks without a length", async () => {
    const r = await call("POST", json, ['{"a":', "2}"]);
    expect(r.status).toBe(201);
    expect(JSON.parse(r.body.toString()).got).toEqual({ a: 2 });
  });

  it("compresses an answer of 1 KB or more for a client that accepts gzip", async () => {
    const body = JSON.stringify({ pad: 4000 });
    const r = await call("POST", { ...json, "accept-encoding": "gzip" }, [body]);
    expect(r.status).toBe(201);
    expect(r.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(zlib.gunzipSync(r.body).toString()).pad).toHaveLength(4000);
  });

  it("refuses a body over 16 KB with 413 naming the body, whether its length is declared or not", async () => {
    const big = JSON.stringify({ pad: 1, x: "y".repeat(20_000) });
    for (const headers of [{ ...json, "content-length": String(big.length) }, json]) {
      const r = await call("POST", headers, [big.slice(0, 10_000), big.slice(10_000)]);
      expect(r.status).toBe(413);
      expect(JSON.parse(r.body.toString()).error).toMatchObject({ code: "body_too_large", param: "body" });
    }
  });

  it("answers HEAD with the GET's headers and no body", async () => {
    const r = await call("HEAD", {});
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(r.body.length).toBe(0);
  });
});
