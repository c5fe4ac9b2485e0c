import argon2 from "argon2";

import type { Localized } from "~/lib/i18n/messages";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "~/lib/password-policy";

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH };

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): memory-hard yet cheap enough
// for a 2-core server under a login burst.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (!hash) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

// Verifying against a fixed hash when the email is unknown keeps the response time of
// "unknown email" and "wrong password" alike.
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword("not-a-real-password-for-timing");
  await verifyPassword(await dummyHash, password);
}

/** passwordProblem as a catalog key, for a sentence in the reader's language. */
export function passwordProblemLocalized(password: string): Localized | null {
  if (password.length < MIN_PASSWORD_LENGTH) return { key: "password.error.tooShort", params: { min: MIN_PASSWORD_LENGTH } };
  if (password.length > MAX_PASSWORD_LENGTH) return { key: "password.error.tooLong", params: { max: MAX_PASSWORD_LENGTH } };
  if (password.trim().length === 0) return { key: "password.error.blank" };
  return null;
}

/** A reason a person can act on, or null when the password is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (password.trim().length === 0) return "The password cannot be only spaces.";
  return null;
}
