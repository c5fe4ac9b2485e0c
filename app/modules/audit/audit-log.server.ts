import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { db, rows } from "~db/client.server";
import { zonedTimeToUtc } from "~/lib/dates/zones";
import { localDay } from "~/modules/reporting/list-query.server";
import type { Scope } from "~/lib/vocabulary";

export const AUDIT_PAGE_SIZE = 50;

/** Groups of actions the filter offers (prefix match on the action name); the page words them as t(`audit.group.${key}`). */
export const AUDIT_ACTION_GROUPS = {
  auth: "Sign-ins, sessions and two-factor",
  access: "Refused access",
  security: "Refused forms (CSRF)",
  staff: "Staff and invitations",
  settings: "Settings",
  refund: "Refunds",
  export: "Exports",
  terminal: "Terminals and API keys",
  bank: "Bank accounts",
  payout: "Payouts",
  view: "Saved views",
} as const;

// A day of the ledger's years, as the other lists take it (a Jalali day typed by a Persian
// reader arrives as its ISO day; 2025-02-30 or 9999-12-31 is refused, naming the format).
const day = z.preprocess((v) => (v === "" ? undefined : v), localDay.optional());

export const auditFilterSchema = z.object({
  action: z
    .string()
    .max(100)
    .regex(/^[a-z0-9_.]*$/, "Use an action name like auth.login")
    .optional()
    .transform((v) => v || undefined),
  outcome: z
    .enum(["success", "failure", "denied", ""])
    .optional()
    .transform((v) => v || undefined),
  actor: z
    .string()
    .max(200)
    .optional()
    .transform((v) => v?.trim() || undefined),
  target: z
    .string()
    .max(200)
    .optional()
    .transform((v) => v?.trim() || undefined),
  from: day,
  to: day,
  before: z.coerce.number().int().positive().optional().catch(undefined),
});
export type AuditFilters = z.infer<typeof auditFilterSchema>;

export interface AuditRow {
  id: number;
  createdAt: Date;
  actorEmail: string | null;
  actorUserId: string | null;
  action: string;
  outcome: "success" | "failure" | "denied";
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

function localDayStart(value: string, tz: string): Date {
  const [y, m, d] = value.split("-").map(Number) as [number, number, number];
  return zonedTimeToUtc({ year: y, month: m, day: d }, tz);
}

function nextCalendarDay(year: number, month: number, day: number) {
  const u = new Date(Date.UTC(year, month - 1, day + 1));
  return { year: u.getUTCFullYear(), month: u.getUTCMonth() + 1, day: u.getUTCDate() };
}

/**
 * The audit trail's filter as SQL over `audit_events e` (without the page cursor):
 * shared by the Audit log page and its CSV export, so both show the same events.
 * Sign-in events are recorded per person before a merchant is chosen (merchant_id
 * null); they belong to this trail when the person is (or was) a member here.
 */
export function auditFilterSql(scope: Scope, filters: AuditFilters, timeZone: string): SQL {
  const conds: SQL[] = [
    sql`(e.merchant_id = ${scope.merchantId} or (e.merchant_id is null and e.actor_user_id in
          (select user_id from memberships where merchant_id = ${scope.merchantId})))`,
  ];
  if (filters.action) {
    conds.push(filters.action.includes(".") ? sql`e.action = ${filters.action}` : sql`e.action like ${filters.action + ".%"}`);
  }
  if (filters.outcome) conds.push(sql`e.outcome = ${filters.outcome}`);
  if (filters.actor) conds.push(sql`e.actor_email ilike ${"%" + filters.actor.replace(/[%_\\]/g, "\\$&") + "%"}`);
  if (filters.target) conds.push(sql`e.target_id = ${filters.target}`);
  if (filters.from) conds.push(sql`e.created_at >= ${localDayStart(filters.from, timeZone).toISOString()}`);
  if (filters.to) {
    const [y, m, d] = filters.to.split("-").map(Number) as [number, number, number];
    const next = zonedTimeToUtc(nextCalendarDay(y, m, d), timeZone);
    conds.push(sql`e.created_at < ${next.toISOString()}`);
  }
  return sql.join(conds, sql` and `);
}

/** The merchant's audit trail, newest first, keyset-paged by id. */
export async function listAuditEvents(
  scope: Scope,
  filters: AuditFilters,
  opts: { timeZone: string; limit?: number },
): Promise<{ rows: AuditRow[]; nextBefore: number | null }> {
  const limit = opts.limit ?? AUDIT_PAGE_SIZE;
  const conds: SQL[] = [auditFilterSql(scope, filters, opts.timeZone)];
  if (filters.before) conds.push(sql`e.id < ${filters.before}`);
  const where = sql.join(conds, sql` and `);
  const list = await rows<{
    id: number | string;
    created_at: string | Date;
    actor_email: string | null;
    actor_user_id: string | null;
    action: string;
    outcome: "success" | "failure" | "denied";
    target_type: string | null;
    target_id: string | null;
    ip: string | null;
    user_agent: string | null;
    details: Record<string, unknown> | string;
  }>(
    db(),
    sql`select e.id, e.created_at, e.actor_email, e.actor_user_id, e.action, e.outcome, e.target_type,
               e.target_id, e.ip, e.user_agent, e.details
        from audit_events e where ${where} order by e.id desc limit ${limit + 1}`,
  );
  const page = list.slice(0, limit).map((r) => ({
    id: Number(r.id),
    createdAt: new Date(r.created_at),
    actorEmail: r.actor_email,
    actorUserId: r.actor_user_id,
    action: r.action,
    outcome: r.outcome,
    targetType: r.target_type,
    targetId: r.target_id,
    ip: r.ip,
    userAgent: r.user_agent,
    details: typeof r.details === "string" ? (JSON.parse(r.details) as Record<string, unknown>) : r.details ?? {},
  }));
  return { rows: page, nextBefore: list.length > limit ? page[page.length - 1]!.id : null };
}
