/**
 * Webhook signatures: `Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`,
 * keyed by the endpoint's secret (the whole `whsec_...` string, as UTF-8). During the
 * 24 hours after a rotation the header carries a second v1, made with the old secret,
 * so a receiver that still has the old one keeps verifying.
 * The receiver's side, copy-paste, is in docs/webhooks.md (and verifySignature below,
 * which the tests use exactly as documented).
 */
import crypto from "node:crypto";

export function signPayload(secret: string, timestamp: number, body: string): string {
  return crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

export function signatureHeader(secrets: string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${signPayload(s, timestamp, body)}`)].join(",");
}

/** The documented Node verification (docs/webhooks.md), verbatim. */
export function verifySignature(secret: string, header: string, body: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const parts = header.split(",").map((p) => p.split("="));
  const t = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isFinite(t) || Math.abs(nowSeconds - t) > 300) return false;
  const expected = crypto.createHmac("sha256", secret).update(`${t}.${body}`).digest();
  return parts
    .filter(([k]) => k === "v1")
    .some(([, v]) => {
      const given = Buffer.from(v ?? "", "hex");
      return given.length === expected.length && crypto.timingSafeEqual(given, expected);
    });
}

export function newSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64url")}`;
}
