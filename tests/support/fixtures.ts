import { eq } from "drizzle-orm";
import { beforeAll } from "vitest";
import { db } from "../../db/client.server";
import { memberships, merchants, users } from "../../db/schema";
import { newId } from "../../app/lib/ids";
import type { Role } from "../../app/lib/permissions";
import { hashPassword } from "../../app/modules/auth/password.server";
import { DEMO_PASSWORD, signIn } from "./auth";

/** Small, explicit fixtures for access tests that do not need the whole demo ledger. */
export async function createMerchant(
  input: { name?: string; currency?: string; timeZone?: string; supportRefundLimit?: bigint; require2fa?: boolean } = {},
): Promise<{ id: string; name: string }> {
  const id = newId("mer");
  const name = input.name ?? `Shop ${id.slice(-5)}`;
  await db()
    .insert(merchants)
    .values({
      id,
      name,
      status: "active",
      country: input.currency === "IRR" ? "IR" : "US",
      timeZone: input.timeZone ?? "UTC",
      currency: input.currency ?? "USD",
      supportRefundLimit: input.supportRefundLimit ?? 5000n,
      require2fa: input.require2fa ?? false,
    });
  return { id, name };
}

let hashed: Promise<string> | undefined;

export async function createUser(input: {
  email: string;
  name?: string;
  password?: string;
  memberships?: { merchantId: string; role: Role; status?: "active" | "invited" | "disabled" }[];
}): Promise<{ id: string; email: string }> {
  const id = newId("usr");
  // One hash for the shared demo password keeps the fixtures quick.
  const passwordHash =
    input.password && input.password !== DEMO_PASSWORD
      ? await hashPassword(input.password)
      : await (hashed ??= hashPassword(DEMO_PASSWORD));
  await db()
    .insert(users)
    .values({ id, email: input.email, name: input.name ?? input.email.split("@")[0]!, passwordHash });
  for (const m of input.memberships ?? []) {
    await db()
      .insert(memberships)
      .values({ merchantId: m.merchantId, userId: id, role: m.role, status: m.status ?? "active" });
  }
  return { id, email: input.email };
}

/** A merchant with one member per role, like Demo Coffee, plus one outsider merchant. */
export async function createTeam(prefix = "t") {
  const shop = await createMerchant({ name: `${prefix} Coffee`, currency: "IRR", supportRefundLimit: 500000n });
  const other = await createMerchant({ name: `${prefix} Books` });
  const roles: Role[] = ["owner", "admin", "support", "accountant", "viewer"];
  const members = {} as Record<Role, { id: string; email: string }>;
  for (const role of roles) {
    members[role] = await createUser({ email: `${role}@${prefix}.coffee.test`, memberships: [{ merchantId: shop.id, role }] });
  }
  const outsider = await createUser({ email: `owner@${prefix}.books.test`, memberships: [{ merchantId: other.id, role: "owner" }] });
  return { shop, other, members, outsider };
}

export type Team = Awaited<ReturnType<typeof createTeam>>;

/**
 * The file's (or the describe block's) team, made once before its tests by createTeam(prefix):
 * read its fields inside tests and hooks, not at the top level.
 */
export function useTeam(prefix: string): Team {
  const team = {} as Team;
  beforeAll(async () => {
    Object.assign(team, await createTeam(prefix));
  });
  return team;
}

/** createTeam(prefix) whose admin reads the console in Persian, with its owner and that admin signed in. */
export async function teamWithPersianAdmin(prefix: string) {
  const team = await createTeam(prefix);
  await db().update(users).set({ locale: "fa" }).where(eq(users.id, team.members.admin.id));
  const owner = await signIn(team.members.owner.email);
  const persianAdmin = await signIn(team.members.admin.email);
  return { team, owner, persianAdmin };
}

export async function userRow(id: string) {
  return (await db().query.users.findFirst({ where: eq(users.id, id) }))!;
}
