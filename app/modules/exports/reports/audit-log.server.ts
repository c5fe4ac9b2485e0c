/**
 * The audit log, with the Audit log page's filters (action, outcome, actor, target,
 * from/to days both included), newest first like the page. Owners and admins only
 * (audit:view on top of reports:export).
 */
import { sql } from "drizzle-orm";
import { auditFilterSchema, auditFilterSql } from "~/modules/audit/audit-log.server";
import { ListFilterError, strictListQuery } from "~/modules/reporting/list-query.server";
import { sqlColumnsOf, type SqlColumn } from "../definition";
import { dayRangeLabel, sqlRun, type SqlReport, type SqlSource } from "./report.server";

const e = sqlColumnsOf("e");
const columns: SqlColumn[] = [
  e.integer("id", "Event number (increasing)."),
  ...e.instant("created", "When it happened, in the report's time zone."),
  e.text("actor_email", "Who did it (email at the time)."),
  e.text("actor_user_id", "Their user id."),
  e.text("action", "What was done, e.g. auth.login, refund.create, export.download."),
  e.text("outcome", "success, failure or denied."),
  e.text("target_type", "Kind of object acted on."),
  e.text("target_id", "The object acted on."),
  e.text("ip", "Client IP address."),
  e.text("user_agent", "Client browser or program."),
  e.text("details", "Everything else recorded, as JSON."),
];

export const auditLogReport: SqlReport = {
  id: "audit-log",
  title: "Audit log",
  description: "Sign-ins, refusals, staff and settings changes, refunds and exports, with the Audit log page's filters.",
  permissions: ["reports:export", "audit:view"],
  columns,
  defaults: ["id", "created", "created_utc", "actor_email", "action", "outcome", "target_type", "target_id", "ip", "user_agent", "details"],
  currencySql: null,
  prepare(scope, params) {
    const raw: Record<string, string> = {};
    for (const key of ["action", "outcome", "actor", "target", "from", "to"]) {
      const v = params.getAll(key).filter((x) => x.trim() !== "");
      if (v.length) raw[key] = v[v.length - 1]!;
    }
    const { before: _before, ...filters } = strictListQuery(auditFilterSchema, raw);
    if (filters.from && filters.to && filters.to < filters.from) {
      throw new ListFilterError("to", "The end date is before the start date: pick an end date on or after the start.");
    }
    const where = auditFilterSql(scope, filters, scope.timeZone);
    const days = dayRangeLabel(filters.from ?? null, filters.to ?? null);
    const source: SqlSource = {
      from: sql`audit_events e`,
      where,
      // The tie-breaker must read back as text (cursors are JSON; postgres.js returns bigint as BigInt).
      sort: { expr: sql`e.id`, type: "bigint", desc: true, id: sql`e.id::text` },
    };
    return sqlRun({ rangeLabel: days.label, rangeText: `${days.text}, ${scope.timeZone}`, filters }, source, sql`audit_events e`, null);
  },
};
