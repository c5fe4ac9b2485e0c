import { createHash, randomBytes } from "node:crypto";
import { and, asc, desc, eq, gt, isNull, sql, type SQL } from "drizzle-orm";
import { db, rows, type DbOrTx, type Tx } from "~db/client.server";
import { invitations, memberships, merchants, notificationSettings, users } from "~db/schema";
import { newId } from "~/lib/ids";
import { intlLocale, normalizeLocale } from "~/lib/i18n/locales";
import type { Localized } from "~/lib/i18n/messages";
import { translator } from "~/lib/i18n/translate";
import { ROLE_LABELS, type Role } from "~/lib/permissions";
import type { AppContext } from "~/modules/access/context";
import type { Client } from "~/lib/vocabulary";
import { audit } from "~/modules/audit/audit.server";
import { hashPassword, passwordProblem, passwordProblemLocalized, verifyPassword } from "~/modules/auth/password.server";
import { revokeUserSessions } from "~/modules/auth/session.server";
import { findUserByEmail } from "~/modules/auth/login.server";
import { Refusal } from "~/lib/refusal";
import { sendMail } from "~/modules/mail/mailer.server";
import { recordEvent, type EventType } from "~/modules/events/events.server";
import { serializeInvitation, serializeStaffMember } from "~/modules/events/objects";
import type { Scope } from "~/lib/vocabulary";

export type { Scope };

export const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/** A refusal of a change to the merchant's staff or an invitation (see Refusal). */
export class StaffError extends Refusal {}

/** An invitation still open: neither accepted nor withdrawn (it may have expired). */
const isOpen = () => and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt));

/** Closes (withdraws or accepts) the merchant's open invitations that `which` picks; the rows it closed. */
function closeOpenInvitations(tx: Tx, merchantId: string, which: SQL, closed: { revokedAt: Date } | { acceptedAt: Date }) {
  return tx
    .update(invitations)
    .set(closed)
    .where(and(eq(invitations.merchantId, merchantId), which, isOpen()))
    .returning();
}

const roleName = (role: Role): Localized => ({ key: `role.${role}` });

export interface MemberRow {
  userId: string;
  name: string;
  email: string;
  role: Role;
  status: "invited" | "active" | "disabled";
  twoFactor: boolean;
  lastLoginAt: Date | null;
  lockedUntil: Date | null;
  joinedAt: Date;
}

export async function listMembers(scope: Scope): Promise<MemberRow[]> {
  const list = await db()
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
      status: memberships.status,
      totpEnabledAt: users.totpEnabledAt,
      lastLoginAt: users.lastLoginAt,
      lockedUntil: users.lockedUntil,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.merchantId, scope.merchantId))
    .orderBy(asc(memberships.status), asc(users.name));
  return list.map(({ totpEnabledAt, ...m }) => ({ ...m, role: m.role as Role, twoFactor: !!totpEnabledAt }));
}

export interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  expiresAt: Date;
  createdAt: Date;
  invitedBy: string | null;
}

export async function listPendingInvitations(scope: Scope, now = new Date()): Promise<InvitationRow[]> {
  const list = await db()
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
      createdAt: invitations.createdAt,
      invitedBy: users.email,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedByUserId))
    .where(
      and(
        eq(invitations.merchantId, scope.merchantId),
        isOpen(),
        gt(invitations.expiresAt, now),
      ),
    )
    .orderBy(desc(invitations.createdAt));
  return list.map((i) => ({ ...i, role: i.role as Role }));
}

/** Roles this member may hand out: an admin never creates an owner. */
export function grantableRoles(actorRole: Role): Role[] {
  if (actorRole === "owner") return ["owner", "admin", "support", "accountant", "viewer"];
  if (actorRole === "admin") return ["admin", "support", "accountant", "viewer"];
  return [];
}

function assertCanGrant(actor: AppContext, role: Role): void {
  if (!grantableRoles(actor.role).includes(role)) {
    throw new StaffError(
      role === "owner"
        ? "Only an owner can make someone an owner."
        : `Your role (${ROLE_LABELS[actor.role]}) cannot grant the ${ROLE_LABELS[role]} role.`,
      403,
      "role",
      role === "owner"
        ? { key: "staff.error.onlyOwnerMakesOwner" }
        : { key: "staff.error.cannotGrant", params: { role: roleName(actor.role), grant: roleName(role) } },
    );
  }
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The invitation's address on the console's public origin (the web edge passes it in `client.origin`). */
export function invitationLink(client: Client, merchantId: string, token: string): string {
  if (!client.origin) throw new Error("An invitation link needs the console's public origin (client.origin).");
  return `${client.origin}/invite/${merchantId}/${token}`;
}

/**
 * Invites a person by email. The token is random and stored only as a hash, so the
 * link exists exactly twice: in the answer to the inviter and in the mail.
 */
export async function inviteMember(
  scope: Scope,
  actor: AppContext,
  input: { email: string; role: Role },
  client: Client,
  now = new Date(),
): Promise<{ invitationId: string; link: string; expiresAt: Date }> {
  assertCanGrant(actor, input.role);
  const email = input.email.trim().toLowerCase();
  const dbx = db();
  const [existing] = await rows<{ status: string }>(
    dbx,
    sql`select m.status from memberships m join users u on u.id = m.user_id
        where m.merchant_id = ${scope.merchantId} and lower(u.email) = ${email}`,
  );
  if (existing && existing.status === "active") {
    throw new StaffError(`${email} is already a member of ${actor.merchant.name}.`, 409, "email", {
      key: "staff.error.alreadyMember",
      params: { email, merchant: actor.merchant.name },
    });
  }
  const token = randomBytes(32).toString("base64url");
  const id = newId("inv");
  const expiresAt = new Date(now.getTime() + INVITATION_LIFETIME_MS);
  const link = invitationLink(client, scope.merchantId, token);
  await dbx.transaction(async (tx) => {
    // A new invitation replaces any older one still open for the same address.
    const replaced = await closeOpenInvitations(tx, scope.merchantId, sql`lower(${invitations.email}) = ${email}`, { revokedAt: now });
    const [invitation] = await tx
      .insert(invitations)
      .values({
        merchantId: scope.merchantId,
        id,
        email,
        role: input.role,
        tokenHash: hashToken(token),
        invitedByUserId: actor.user.id,
        expiresAt,
        createdAt: now,
      })
      .returning();
    // The invitee has no preferences yet: the mail and the page it opens speak the merchant's language.
    const lang = normalizeLocale(actor.merchant.defaultLocale);
    const t = translator(intlLocale(lang));
    const days = INVITATION_LIFETIME_MS / 86_400_000;
    await sendMail(tx, {
      to: email,
      locale: lang === "fa" ? "fa" : "en",
      kind: "invite",
      subject: t("mail.invite.subject", { inviter: actor.user.name, merchant: actor.merchant.name }),
      // The link stands on its own line, outside any sentence, so no mail client takes a
      // bidi mark or a full stop for part of it.
      body:
        `${t("mail.invite.intro", { inviter: actor.user.name, inviterEmail: actor.user.email, merchant: actor.merchant.name, role: t(`role.${input.role}`) })}\n\n` +
        `${t("mail.invite.open", { count: days })}\n${lang === "en" ? link : `${link}?lang=${lang}`}\n\n` +
        t("mail.invite.ignore"),
    });
    await audit(tx, {
      actor,
      action: "staff.invite",
      outcome: "success",
      targetType: "invitation",
      targetId: id,
      details: { email, role: input.role, expiresAt },
      client,
    });
    for (const r of replaced) await recordEvent(tx, scope.merchantId, "staff.invitation_revoked", serializeInvitation(r));
    await recordEvent(tx, scope.merchantId, "staff.invited", serializeInvitation(invitation!));
  });
  return { invitationId: id, link, expiresAt };
}

export async function revokeInvitation(scope: Scope, actor: AppContext, invitationId: string, client: Client): Promise<void> {
  await db().transaction(async (tx) => {
    const done = await closeOpenInvitations(tx, scope.merchantId, eq(invitations.id, invitationId), { revokedAt: new Date() });
    if (done.length === 0) throw new StaffError("That invitation is not open any more.", 404, undefined, { key: "staff.error.invitationClosed" });
    await audit(tx, {
      actor,
      action: "staff.invite_revoke",
      outcome: "success",
      targetType: "invitation",
      targetId: invitationId,
      details: { email: done[0]!.email },
      client,
    });
    await recordEvent(tx, scope.merchantId, "staff.invitation_revoked", serializeInvitation(done[0]!));
  });
}

/**
 * Locks the owners' rows and the target's, always in user_id order, so two concurrent
 * changes (each demoting the other owner, say) queue up instead of deadlocking, and
 * the second sees the first's result when it counts the remaining owners.
 */
async function lockForChange(tx: DbOrTx, scope: Scope, userId: string) {
  const locked = await rows<{ user_id: string; role: Role; status: string; email: string }>(
    tx,
    sql`select m.user_id, m.role, m.status, u.email from memberships m join users u on u.id = m.user_id
        where m.merchant_id = ${scope.merchantId} and (m.role = 'owner' or m.user_id = ${userId})
        order by m.user_id for update of m`,
  );
  return {
    target: locked.find((m) => m.user_id === userId),
    activeOwners: locked.filter((m) => m.role === "owner" && m.status === "active").length,
  };
}

/** The membership as events show it, recorded in the change's transaction (call it last). */
async function memberEvent(tx: DbOrTx, merchantId: string, userId: string, type: EventType): Promise<void> {
  const [m] = await tx
    .select({ userId: memberships.userId, email: users.email, name: users.name, role: memberships.role, status: memberships.status, createdAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.merchantId, merchantId), eq(memberships.userId, userId)));
  if (m) await recordEvent(tx, merchantId, type, serializeStaffMember(m));
}

/** The membership of one user on the scope's merchant. */
const theMembership = (scope: Scope, userId: string) => and(eq(memberships.merchantId, scope.merchantId), eq(memberships.userId, userId));

/** The audit trail's line for a change to a member: done ("success") or refused ("denied"). */
function auditMember(dbx: DbOrTx, actor: AppContext, client: Client, action: string, userId: string, outcome: "success" | "denied", details: Record<string, unknown>) {
  return audit(dbx, { actor, action, outcome, targetType: "user", targetId: userId, details, client });
}

async function refuse(actor: AppContext, client: Client, action: string, targetId: string, error: StaffError): Promise<never> {
  await auditMember(db(), actor, client, action, targetId, "denied", { reason: error.message });
  throw error;
}

export async function changeRole(
  scope: Scope,
  actor: AppContext,
  input: { userId: string; role: Role },
  client: Client,
): Promise<void> {
  try {
    await db().transaction(async (tx) => {
      const { target, activeOwners } = await lockForChange(tx, scope, input.userId);
      if (!target) throw new StaffError("That person is not a member of this merchant.", 404, undefined, { key: "staff.error.notMember" });
      if (target.role === input.role) return;
      assertCanGrant(actor, input.role);
      if (target.role === "owner" && actor.role !== "owner") {
        throw new StaffError("Only an owner can change another owner's role.", 403, "role", { key: "staff.error.onlyOwnerChangesOwner" });
      }
      if (target.role === "owner" && target.status === "active" && activeOwners <= 1) {
        throw new StaffError(
          `${target.email} is the last owner of ${actor.merchant.name}. Make someone else an owner first.`,
          409,
          "role",
          { key: "staff.error.lastOwnerRole", params: { email: target.email, merchant: actor.merchant.name } },
        );
      }
      await tx
        .update(memberships)
        .set({ role: input.role, updatedAt: new Date() })
        .where(theMembership(scope, input.userId));
      await auditMember(tx, actor, client, "staff.role_change", input.userId, "success", { email: target.email, from: target.role, to: input.role });
      await memberEvent(tx, scope.merchantId, input.userId, "staff.role_changed");
    });
  } catch (e) {
    if (e instanceof StaffError) await refuse(actor, client, "staff.role_change", input.userId, e);
    throw e;
  }
}

/** Disables a member; every session they have on this merchant ends at once. */
export async function disableMember(scope: Scope, actor: AppContext, userId: string, client: Client): Promise<void> {
  try {
    await db().transaction(async (tx) => {
      const { target, activeOwners } = await lockForChange(tx, scope, userId);
      if (!target) throw new StaffError("That person is not a member of this merchant.", 404, undefined, { key: "staff.error.notMember" });
      if (userId === actor.user.id) throw new StaffError("You cannot disable your own access.", 409, undefined, { key: "staff.error.disableSelf" });
      if (target.status === "disabled") return;
      if (target.role === "owner" && actor.role !== "owner") {
        throw new StaffError("Only an owner can disable another owner.", 403, undefined, { key: "staff.error.onlyOwnerDisablesOwner" });
      }
      if (target.role === "owner" && activeOwners <= 1) {
        throw new StaffError(`${target.email} is the last owner of ${actor.merchant.name} and cannot be disabled.`, 409, undefined, {
          key: "staff.error.lastOwnerDisable",
          params: { email: target.email, merchant: actor.merchant.name },
        });
      }
      await tx
        .update(memberships)
        .set({ status: "disabled", updatedAt: new Date() })
        .where(theMembership(scope, userId));
      const ended = await revokeUserSessions(tx, userId, { merchantId: scope.merchantId });
      await auditMember(tx, actor, client, "staff.disable", userId, "success", { email: target.email, role: target.role, sessionsEnded: ended });
      await memberEvent(tx, scope.merchantId, userId, "staff.disabled");
    });
  } catch (e) {
    if (e instanceof StaffError) await refuse(actor, client, "staff.disable", userId, e);
    throw e;
  }
}

/**
 * Removes a person from the team (owners only): their membership is deleted, every session
 * they have on this merchant ends at once, their notification switches here go, and
 * staff.removed carries the member as they were (status "removed"). The last active owner
 * can never be removed, and nobody removes themselves. They can be invited again later.
 */
export async function removeMember(scope: Scope, actor: AppContext, userId: string, client: Client): Promise<void> {
  try {
    await db().transaction(async (tx) => {
      if (actor.role !== "owner") throw new StaffError("Only an owner can remove someone from the team.", 403, undefined, { key: "staff.error.onlyOwnerRemoves" });
      const { target, activeOwners } = await lockForChange(tx, scope, userId);
      if (!target) throw new StaffError("That person is not a member of this merchant.", 404, undefined, { key: "staff.error.notMember" });
      if (userId === actor.user.id) throw new StaffError("You cannot remove yourself from the team.", 409, undefined, { key: "staff.error.removeSelf" });
      if (target.role === "owner" && target.status === "active" && activeOwners <= 1) {
        throw new StaffError(`${target.email} is the last owner of ${actor.merchant.name} and cannot be removed.`, 409, undefined, {
          key: "staff.error.lastOwnerRemove",
          params: { email: target.email, merchant: actor.merchant.name },
        });
      }
      const [m] = await tx
        .select({ userId: memberships.userId, email: users.email, name: users.name, role: memberships.role, status: memberships.status, createdAt: memberships.createdAt })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(theMembership(scope, userId));
      await tx.delete(notificationSettings).where(and(eq(notificationSettings.merchantId, scope.merchantId), eq(notificationSettings.userId, userId)));
      await tx.delete(memberships).where(theMembership(scope, userId));
      const ended = await revokeUserSessions(tx, userId, { merchantId: scope.merchantId });
      await auditMember(tx, actor, client, "staff.remove", userId, "success", { email: target.email, role: target.role, status: target.status, sessionsEnded: ended });
      if (m) await recordEvent(tx, scope.merchantId, "staff.removed", { ...serializeStaffMember(m), status: "removed" });
    });
  } catch (e) {
    if (e instanceof StaffError) await refuse(actor, client, "staff.remove", userId, e);
    throw e;
  }
}

export async function enableMember(scope: Scope, actor: AppContext, userId: string, client: Client): Promise<void> {
  await db().transaction(async (tx) => {
    const { target } = await lockForChange(tx, scope, userId);
    if (!target) throw new StaffError("That person is not a member of this merchant.", 404, undefined, { key: "staff.error.notMember" });
    if (target.status === "active") return;
    if (target.role === "owner" && actor.role !== "owner") {
      throw new StaffError("Only an owner can give an owner access again.", 403, undefined, { key: "staff.error.onlyOwnerEnablesOwner" });
    }
    await tx
      .update(memberships)
      .set({ status: "active", updatedAt: new Date() })
      .where(theMembership(scope, userId));
    await auditMember(tx, actor, client, "staff.enable", userId, "success", { email: target.email, role: target.role });
    await memberEvent(tx, scope.merchantId, userId, "staff.enabled");
  });
}

export async function setSupportRefundLimit(scope: Scope, actor: AppContext, limit: bigint, client: Client): Promise<void> {
  if (actor.role !== "owner") {
    await refuse(actor, client, "settings.support_refund_limit", scope.merchantId, new StaffError("Only an owner can change the support refund limit.", 403, undefined, { key: "staff.error.onlyOwnerLimit" }));
  }
  if (limit < 0n) throw new StaffError("The limit cannot be negative.", 400, "limit", { key: "staff.error.negativeLimit" });
  const dbx = db();
  const before = actor.merchant.supportRefundLimit;
  await dbx.update(merchants).set({ supportRefundLimit: limit, updatedAt: new Date() }).where(eq(merchants.id, scope.merchantId));
  await audit(dbx, {
    actor,
    action: "settings.support_refund_limit",
    outcome: "success",
    targetType: "merchant",
    targetId: scope.merchantId,
    details: { from: before, to: limit },
    client,
  });
}

// --- Accepting an invitation (no session yet: the token is the credential) ---

export interface OpenInvitation {
  merchantId: string;
  merchantName: string;
  id: string;
  email: string;
  role: Role;
  expiresAt: Date;
  /** The address already has an account: accepting asks for its password instead of a new one. */
  existingUser: boolean;
}

export type InvitationLookup =
  | { status: "open"; invitation: OpenInvitation }
  | { status: "expired" | "used" | "revoked" | "unknown" };

export async function findInvitation(merchantId: string, token: string, now = new Date()): Promise<InvitationLookup> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { status: "unknown" };
  const dbx = db();
  const [row] = await dbx
    .select({ inv: invitations, merchantName: merchants.name })
    .from(invitations)
    .innerJoin(merchants, eq(merchants.id, invitations.merchantId))
    .where(and(eq(invitations.merchantId, merchantId), eq(invitations.tokenHash, hashToken(token))));
  if (!row) return { status: "unknown" };
  const inv = row.inv;
  if (inv.acceptedAt) return { status: "used" };
  if (inv.revokedAt) return { status: "revoked" };
  if (inv.expiresAt.getTime() <= now.getTime()) return { status: "expired" };
  const user = await findUserByEmail(dbx, inv.email);
  return {
    status: "open",
    invitation: {
      merchantId,
      merchantName: row.merchantName,
      id: inv.id,
      email: inv.email,
      role: inv.role as Role,
      expiresAt: inv.expiresAt,
      existingUser: !!user?.passwordHash,
    },
  };
}

/**
 * Accepts an invitation: a new person sets their name and password; a person who
 * already has an account confirms its password (an invitation never resets one).
 * Single use: the accepted_at guard lets exactly one request through.
 */
export async function acceptInvitation(
  merchantId: string,
  token: string,
  input: { name?: string; password: string },
  client: Client,
  now = new Date(),
): Promise<{ userId: string; merchantId: string }> {
  const found = await findInvitation(merchantId, token, now);
  if (found.status !== "open") {
    throw new StaffError(invitationProblem(found.status), found.status === "unknown" ? 404 : 409, undefined, invitationProblemLocalized(found.status));
  }
  const inv = found.invitation;
  const dbx = db();
  let userId: string;
  const existing = await findUserByEmail(dbx, inv.email);
  if (existing?.passwordHash) {
    if (!(await verifyPassword(existing.passwordHash, input.password))) {
      await audit(dbx, {
        merchantId,
        actor: { userId: existing.id, email: existing.email },
        action: "staff.invite_accept",
        outcome: "failure",
        targetType: "invitation",
        targetId: inv.id,
        details: { reason: "wrong_password" },
        client,
      });
      throw new StaffError(`That is not the password of ${inv.email}.`, 400, "password", { key: "invite.error.wrongPassword", params: { email: inv.email } });
    }
    userId = existing.id;
  } else {
    const problem = passwordProblem(input.password);
    if (problem) throw new StaffError(problem, 400, "password", passwordProblemLocalized(input.password) ?? undefined);
    const name = (input.name ?? "").trim();
    if (!name) throw new StaffError("Enter your name.", 400, "name", { key: "invite.error.nameRequired" });
    if (name.length > 100) throw new StaffError("Use at most 100 characters for your name.", 400, "name", { key: "invite.error.nameTooLong", params: { max: 100 } });
    const passwordHash = await hashPassword(input.password);
    if (existing) {
      userId = existing.id;
      await dbx.update(users).set({ name, passwordHash, passwordChangedAt: now, updatedAt: now }).where(eq(users.id, existing.id));
    } else {
      userId = newId("usr");
      await dbx.insert(users).values({ id: userId, email: inv.email, name, passwordHash, passwordChangedAt: now });
    }
  }
  await dbx.transaction(async (tx) => {
    const claimed = await closeOpenInvitations(tx, merchantId, eq(invitations.id, inv.id), { acceptedAt: now });
    if (claimed.length === 0) throw new StaffError(invitationProblem("used"), 409, undefined, invitationProblemLocalized("used"));
    await tx
      .insert(memberships)
      .values({ merchantId, userId, role: inv.role, status: "active" })
      .onConflictDoUpdate({
        target: [memberships.merchantId, memberships.userId],
        set: { role: inv.role, status: "active", updatedAt: now },
      });
    await audit(tx, {
      merchantId,
      actor: { userId, email: inv.email },
      action: "staff.invite_accept",
      outcome: "success",
      targetType: "invitation",
      targetId: inv.id,
      details: { role: inv.role },
      client,
    });
    await memberEvent(tx, merchantId, userId, "staff.joined");
  });
  return { userId, merchantId };
}

export function invitationProblem(status: "expired" | "used" | "revoked" | "unknown"): string {
  switch (status) {
    case "expired":
      return "This invitation has expired (invitations last 7 days). Ask for a new one.";
    case "used":
      return "This invitation has already been used. Sign in instead.";
    case "revoked":
      return "This invitation was withdrawn. Ask for a new one if you still need access.";
    default:
      return "This invitation link is not valid. Check that you copied all of it.";
  }
}

/** invitationProblem as a catalog key (`invite.problem.expired`...), for the reader's language. */
export function invitationProblemLocalized(status: "expired" | "used" | "revoked" | "unknown"): Localized {
  return { key: `invite.problem.${status}`, params: status === "expired" ? { days: INVITATION_LIFETIME_MS / 86_400_000 } : undefined };
}
