import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import QRCode from "qrcode";
import { recoveryCodes, users } from "~db/schema";
import type { DbOrTx } from "~db/client.server";
import { newId } from "~/lib/ids";

export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
export const RECOVERY_CODE_COUNT = 10;
const ISSUER = "Merchant Console";

function totpFor(secretBase32: string, label = "account"): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: ISSUER,
    label,
    algorithm: "SHA1",
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

export function currentStep(now = new Date()): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD);
}

/** For tests and the enrollment preview: the code an authenticator shows at `now`. */
export function totpCodeAt(secretBase32: string, now = new Date()): string {
  return totpFor(secretBase32).generate({ timestamp: now.getTime() });
}

export function normalizeCode(input: string): string {
  return input.replace(/[\s-]/g, "").replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
}

/**
 * The time step a code belongs to (the current one or a neighbour, for clock drift),
 * or null when the code is wrong or too old.
 */
export function matchStep(secretBase32: string, code: string, now = new Date()): number | null {
  const token = normalizeCode(code);
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(secretBase32).validate({ token, timestamp: now.getTime(), window: 1 });
  return delta === null ? null : currentStep(now) + delta;
}

export type TotpCheck = "ok" | "invalid" | "reused";

/**
 * Checks a code and consumes its time step in one guarded UPDATE, so the same code
 * (or an older one) is refused even by two requests racing with it.
 */
export async function consumeTotp(
  dbx: DbOrTx,
  user: { id: string; totpSecret: string | null },
  code: string,
  now = new Date(),
): Promise<TotpCheck> {
  if (!user.totpSecret) return "invalid";
  const step = matchStep(user.totpSecret, code, now);
  if (step === null) return "invalid";
  const updated = await dbx
    .update(users)
    .set({ totpLastStep: step })
    .where(and(eq(users.id, user.id), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
    .returning({ id: users.id });
  return updated.length === 1 ? "ok" : "reused";
}

export function otpauthUri(secretBase32: string, email: string): string {
  return totpFor(secretBase32, email).toString();
}

export async function qrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
}

function hashRecovery(code: string): string {
  return createHash("sha256").update(normalizeRecovery(code)).digest("hex");
}

function normalizeRecovery(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, "");
}

const RC_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
function recoveryCode(): string {
  const bytes = randomBytes(10);
  let s = "";
  for (const b of bytes) s += RC_ALPHABET[b % RC_ALPHABET.length];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** Replaces the user's recovery codes; returns the new ones in clear, shown exactly once. */
export async function issueRecoveryCodes(dbx: DbOrTx, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, recoveryCode);
  await dbx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await dbx.insert(recoveryCodes).values(codes.map((c) => ({ userId, id: newId("rc"), codeHash: hashRecovery(c) })));
  return codes;
}

export function looksLikeRecoveryCode(input: string): boolean {
  return normalizeRecovery(input).length === 10 && !/^\d+$/.test(normalizeRecovery(input));
}

/** Uses up one recovery code; false when it is unknown or already used. */
export async function consumeRecoveryCode(dbx: DbOrTx, userId: string, code: string, now = new Date()): Promise<boolean> {
  const used = await dbx
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(recoveryCodes.userId, userId),
        eq(recoveryCodes.codeHash, hashRecovery(code)),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ id: recoveryCodes.id });
  return used.length === 1;
}

export async function remainingRecoveryCodes(dbx: DbOrTx, userId: string): Promise<number> {
  const [row] = await dbx
    .select({ n: sql<string>`count(*)::text` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return Number(row?.n ?? 0);
}
