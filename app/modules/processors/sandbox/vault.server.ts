/**
 * The sandbox provider's card vault key and cipher. Card numbers are stored
 * encrypted with AES-256-GCM (PCI DSS 3.5: a stored PAN is unreadable); the key comes
 * from SANDBOX_VAULT_KEY (32 bytes, base64 or hex) or, when unset, from a key generated
 * once into the data folder (with a warning in production). The key id stored beside each ciphertext
 * lets a rotated key be told apart from the current one.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "~/lib/env.server";

export interface VaultKey {
  id: string;
  key: Buffer;
}

let cached: VaultKey | undefined;

function parseKey(raw: string): Buffer {
  const s = raw.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, "hex") : Buffer.from(s, "base64");
  if (buf.length !== 32) throw new Error("SANDBOX_VAULT_KEY must be 32 bytes (64 hex digits or base64)");
  return buf;
}

function dataDir(): string {
  return env.DATA_DIR ?? path.resolve(process.cwd(), "data");
}

function developmentKey(): Buffer {
  // The sandbox only ever holds test cards, so a missing key must not stop a demo
  // started in production mode; it is said out loud instead.
  if (env.NODE_ENV === "production") {
    console.warn("SANDBOX_VAULT_KEY is not set: using a key generated into the data folder. Set it for any shared deployment.");
  }
  const file = path.join(dataDir(), "sandbox-vault.key");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    // "wx": two processes starting at once must end up with the same key.
    fs.writeFileSync(file, crypto.randomBytes(32).toString("base64") + "\n", { flag: "wx", mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  return parseKey(fs.readFileSync(file, "utf8"));
}

export function vaultKey(): VaultKey {
  if (!cached) {
    const configured = env.SANDBOX_VAULT_KEY;
    const key = configured ? parseKey(configured) : developmentKey();
    const id = crypto.createHash("sha256").update(key).digest("hex").slice(0, 12);
    cached = { id, key };
  }
  return cached;
}

export interface Sealed {
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
  keyId: string;
}

/** `aad` binds the ciphertext to its row (the token), so a swapped ciphertext does not decrypt. */
export function seal(plaintext: string, aad: string): Sealed {
  const { id, key } = vaultKey();
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return { ciphertext, iv, tag: cipher.getAuthTag(), keyId: id };
}

export function open(sealed: { ciphertext: Uint8Array; iv: Uint8Array; tag: Uint8Array; keyId: string }, aad: string): string {
  const { id, key } = vaultKey();
  if (sealed.keyId !== id) throw new Error(`vault key ${sealed.keyId} is not loaded`);
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv));
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(Buffer.from(sealed.tag));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext)), decipher.final()]).toString("utf8");
}
