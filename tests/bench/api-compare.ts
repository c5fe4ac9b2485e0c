/**
 * The same API requests (a payment, its replay, a reused key, bad auth, bad JSON, wrong
 * methods, reads, refunds, unknown and odd paths) answered by the built server through
 * Remix (API_VIA_REMIX=1) and through app/server/api-routes.ts: statuses, headers and bodies
 * (ids, times and the CSP nonce masked; the framing headers, chunked or Content-Length, left
 * out) must be identical.
 *   node --import tsx tests/bench/api-compare.ts postgres://…/<a bench database kept with --keep>
 */
import crypto from "node:crypto";
import http from "node:http";
import postgres from "postgres";
import { startServer } from "./http";
import { bigMerchantKey } from "./write";
import { CARD_EXP_YEAR } from "../support/cards";
const url = process.argv[2]!;
const sql = postgres(url, { max: 1, onnotice: () => {} });
const { key, currency, card } = await bigMerchantKey(sql, "cmp");
function req(port: number, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const r = http.request({ host: "127.0.0.1", port, path, method, headers: { ...headers, ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      let s = ""; res.on("data", (d) => (s += d)); res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: s }));
    });
    r.on("error", reject); r.end(body);
  });
}
const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
const payBody = JSON.stringify({ amount: "100000", currency, card: { number: card, exp_month: 12, exp_year: CARD_EXP_YEAR, cvc: "123" } });
async function scenario(port: number) {
  const out: unknown[] = [];
  const norm = (r: { status: number; headers: http.IncomingHttpHeaders; body: string }) => {
    const h = { ...r.headers }; delete h.date; delete h["content-security-policy"]; delete h.etag;
    // The framing: Remix streams its answers (chunked), api-routes.ts writes a JSON answer whole with its length; the body is compared byte for byte.
    delete h["content-length"]; delete h["transfer-encoding"];
    return { status: r.status, headers: h, body: r.body.replace(/(pay|re|txn|evt|tok|auth|rf)_[0-9a-zA-Z]+/g, "$1_X").replace(/"(created_at|updated_at|captured_at|authorized_at)":"[^"]+"/g, '"$1":"T"').replace(/"description":"[^"]*"/, "") };
  };
  const k = crypto.randomUUID();
  const first = await req(port, "POST", "/api/v1/payments", { ...auth, "idempotency-key": k }, payBody);
  out.push(["pay", norm(first)]);
  out.push(["replay", norm(await req(port, "POST", "/api/v1/payments", { ...auth, "idempotency-key": k }, payBody))]);
  out.push(["reuse", norm(await req(port, "POST", "/api/v1/payments", { ...auth, "idempotency-key": k }, payBody.replace("100000", "100001")))]);
  const id = JSON.parse(first.body).id as string;
  out.push(["noauth", norm(await req(port, "POST", "/api/v1/payments", { "content-type": "application/json" }, payBody))]);
  out.push(["badjson", norm(await req(port, "POST", "/api/v1/payments", auth, "{nope"))]);
  out.push(["badtype", norm(await req(port, "POST", "/api/v1/payments", { ...auth, "content-type": "text/plain" }, payBody))]);
  out.push(["put", norm(await req(port, "PUT", "/api/v1/payments", auth, payBody))]);
  out.push(["delete", norm(await req(port, "DELETE", `/api/v1/payments/${id}`, auth))]);
  out.push(["get", norm(await req(port, "GET", `/api/v1/payments/${id}`, auth))]);
  out.push(["head", norm(await req(port, "HEAD", `/api/v1/payments/${id}`, auth))]);
  out.push(["get-missing", norm(await req(port, "GET", `/api/v1/payments/pay_nothere`, auth))]);
  out.push(["list", norm(await req(port, "GET", `/api/v1/payments?limit=2&status=captured`, auth))].slice(0, 1));
  out.push(["list-bad", norm(await req(port, "GET", `/api/v1/payments?limit=nope`, auth))]);
  out.push(["refund", norm(await req(port, "POST", `/api/v1/payments/${id}/refunds`, { ...auth, "idempotency-key": crypto.randomUUID() }, JSON.stringify({ amount: "1000" })))]);
  out.push(["refund-toomuch", norm(await req(port, "POST", `/api/v1/payments/${id}/refunds`, { ...auth, "idempotency-key": crypto.randomUUID() }, JSON.stringify({ amount: "99999999" })))]);
  out.push(["refunds", norm(await req(port, "GET", `/api/v1/payments/${id}/refunds`, auth))]);
  out.push(["unknown", norm(await req(port, "GET", `/api/v1/nothing/here`, auth))]);
  out.push(["trailing", norm(await req(port, "GET", `/api/v1/payments/${id}/`, auth))]);
  out.push(["openapi", { status: (await req(port, "GET", `/api/v1/openapi.json`, {})).status }]);
  out.push(["nul", norm(await req(port, "GET", `/api/v1/payments/%00`, auth))]);
  out.push(["events", { s: (await req(port, "GET", `/api/v1/events?limit=1`, auth)).status }]);
  return out;
}
const results: string[][] = [];
for (const env of [{ API_VIA_REMIX: "1" }, {}] as Record<string, string>[]) {
  const server = await startServer(url, () => {}, { WEB_CONCURRENCY: "1", ...env });
  try { results.push((await scenario(server.port)).map((x) => JSON.stringify(x))); } finally { await server.stop(); }
}
let diffs = 0;
results[0]!.forEach((a, i) => { const b = results[1]![i]; if (a !== b) { diffs++; console.log("DIFF\n remix:", a.slice(0, 1500), "\n fast: ", b?.slice(0, 1500)); } });
console.log(`${results[0]!.length} requests compared, ${diffs} differ`);
await sql.end(); process.exit(0);
