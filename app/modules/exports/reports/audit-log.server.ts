/**
 * The audit log, with the Audit log page's filters (action, outcome, actor, target,
 * from/to days both included), newest first like the page. Owners and admins only
 * (audit:view on top of reports:export).
 */
import type { Client } from "~/lib/vocabulary";
import { sql } from "drizzle-orm";
import { replicaDb, rows } from "~db/client.server";
import { auditFilterSchema, auditFilterSql } from "~/modules/audit/audit-log.server";
import { ListFilterError } from "~/modules/reporting/list-query.server";
import type { ColumnSpec } from "../definition";
import { asDate, dayRangeLabel, keysetBatches, type Report } from "./report.server";

export interface AuditExportRow {
  id: number | string;
  created_at: Date | string;
  actor_email: string | null;
  actor_user_id: string | null;
  action: string;
  outcome: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: unknown;
}

const columns: ColumnSpec<AuditExportRow>[] = [
  { key: "id", kind: "integer", doc: "Event number (increasing).", value: (r) => String(r.id) },
  { key: "created", kind: "local", doc: "When it happened, in the report's time zone.", value: (r) => asDate(r.created_at) },
  { key: "created_utc", kind: "utc", doc: "The same instant in UTC.", value: (r) => asDate(r.created_at) },
  { key: "actor_email", kind: "text", doc: "Who did it (email at the time).", value: (r) => r.actor_email },
  { key: "actor_user_id", kind: "text", doc: "Their user id.", value: (r) => r.actor_user_id },
  { key: "action", kind: "text", doc: "What was done, e.g. auth.login, refund.create, export.download.", value: (r) => r.action },
  { key: "outcome", kind: "text", doc: "success, failure or denied.", value: (r) => r.outcome },
  { key: "target_type", kind: "text", doc: "Kind of object acted on.", value: (r) => r.target_type },
  { key: "target_id", kind: "text", doc: "The object acted on.", value: (r) => r.target_id },
  { key: "ip", kind: "text", doc: "Client IP address.", value: (r) => r.ip },
  { key: "user_agent", kind: "text", doc: "Client browser or program.", value: (r) => r.user_agent },
  {
    key: "details",
    kind: "text",
    doc: "Everything else recorded, as JSON.",
    value: (r) => (r.details === null || r.details === undefined ? null : typeof r.details === "string" ? r.details : JSON.stringify(r.details)),
  },
];

export const auditLogReport: Report<AuditExportRow> = {
  id: "audit-log",
  title: "Audit log",
  description: "Sign-ins, refusals, staff and settings changes, refunds and exports, with the Audit log page's filters.",
  permissions: ["reports:export", "audit:view"],
  columns,
  defaults: ["id", "created", "created_utc", "actor_email", "action", "outcome", "target_type", "target_id", "ip", "user_agent", "details"],
  currencyOf: () => "",
  prepare(scope, params) {
    const raw: Record<string, string> = {};
    for (const key of ["action", "outcome", "actor", "target", "from", "to"]) {
      const v = params.getAll(key).filter((x) => x.trim() !== "");
      if (v.length) raw[key] = v[v.length - 1]!;
    }
    const parsed = auditFilterSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ListFilterError(String(issue.path[0] ?? "query"), issue.message);
    }
    const { before: _before, ...filters } = parsed.data;
    if (filters.from && filters.to && filters.to < filters.from) {
      throw new ListFilterError("to", "The end date is before the start date: pick an end date on or after the start.");
    }
    const where = auditFilterSql(scope, filters, scope.timeZone);
    const days = dayRangeLabel(filters.from ?? null, filters.to ?? null);
    return {
      rangeLabel: days.label,
      rangeText: `${days.text}, ${scope.timeZone}`,
      filters,
      async count() {
        const [r] = await rows<{ n: string }>(replicaDb(), sql`select count(*)::text as n from audit_events e where ${where}`);
        return Number(r?.n ?? 0);
      },
      batches(size) {
        return keysetBatches<AuditExportRow>(
          replicaDb(),
          {
            select: sql`e.id, e.created_at, e.actor_email, e.actor_user_id, e.action, e.outcome::text as outcome,
              e.target_type, e.target_id, e.ip, e.user_agent, e.details`,
            from: sql`audit_events e`,
            where,
            // The tie-breaker must read back as text (cursors are JSON; postgres.js returns bigint as BigInt).
            sort: { expr: sql`e.id`, type: "bigint", desc: true, id: sql`e.id::text` },
          },
          size,
        );
      },
    };
  },
};
