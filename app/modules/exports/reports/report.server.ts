/**
 * The shape every report shares, and the keyset batch reader they all use. Reports
 * read through replicaDb() (the read replica when DATABASE_REPLICA_URL is set); the
 * audit event of a download is written to the primary.
 */
import type { SQL } from "drizzle-orm";
import type { DbOrTx } from "~db/client.server";
import { addLocalDays, localDateKey } from "~/lib/dates";
import type { Permission } from "~/lib/permissions";
import { keysetPage, type KeysetSort } from "~/modules/reporting/list-query.server";
import type { ColumnSpec, ReportId } from "../definition";
import type { Scope } from "~/lib/vocabulary";

export { ListFilterError } from "~/modules/reporting/list-query.server";

/** The merchant being exported and the time zone the report is written in. */
export interface ExportScope extends Scope {
  merchantName: string;
  currency: string;
  /** The report's time zone (the merchant's unless the person chose another). */
  timeZone: string;
}

/** The period a file covers: [from, to) as instants; null ends are open. */
export interface ReportPeriod {
  from: Date | null;
  to: Date | null;
}

export interface ReportRun<R> {
  /** What the file name says about the rows' scope: "from-2025-01-01_before-2025-02-01", "payout-po_…", "all-time". */
  rangeLabel: string;
  /** The same for people: "1 Jan 2025 (included) to 1 Feb 2025 (not included)". */
  rangeText: string;
  /** The filter as parsed, for the audit trail. */
  filters: Record<string, unknown>;
  count(): Promise<number>;
  /** Rows in keyset batches, in the order they are written. */
  batches(batchSize: number): AsyncGenerator<R[], void, undefined>;
  /**
   * The same rows, in the same order, as one statement (with its ORDER BY) whose select
   * list is `values`: the chosen columns' `sql` (over this statement's table aliases),
   * aliased. The export renders them above it and streams the whole as COPY on
   * PostgreSQL (copy.server.ts). Absent: the export reads batches.
   */
  copySelect?(values: string[]): SQL;
}

export interface Report<R> {
  id: ReportId;
  title: string;
  description: string;
  /** Every permission the report needs. */
  permissions: Permission[];
  columns: ColumnSpec<R>[];
  /** Default columns, in order. */
  defaults: string[];
  currencyOf(row: R): string;
  /** The row's currency as SQL over the COPY statement's aliases (with copySelect). */
  currencySql?: string;
  /** Parses the URL (throws ListFilterError: 400 with the field) and binds the query. */
  prepare(scope: ExportScope, params: URLSearchParams, now: Date): ReportRun<R> | Promise<ReportRun<R>>;
}

/**
 * Reads a query in keyset order, one batch per step, so a million-row export holds
 * one batch in memory at a time and costs the same per batch at any depth (no OFFSET),
 * on PGlite and on a real server alike.
 */
export async function* keysetBatches<T>(
  dbx: DbOrTx,
  q: { select: SQL; from: SQL; where: SQL; sort: KeysetSort },
  batchSize: number,
): AsyncGenerator<T[], void, undefined> {
  let cursor: string | null = null;
  for (;;) {
    const page: { rows: T[]; next: string | null } = await keysetPage<T>(dbx, { ...q, cursor, limit: batchSize });
    await yieldToEventLoop();
    if (page.rows.length > 0) yield page.rows;
    if (!page.next) return;
    cursor = page.next;
  }
}

/**
 * PGlite runs a query on this thread and resolves it as a microtask, so a loop of
 * queries would never let the event loop run: sockets (this download's and every
 * other request's) would stall until the loop ends. One turn after each query keeps
 * the server responsive during a long export.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** "from-2025-01-01_before-2025-02-01" for an instant range (local days of `tz`). */
export function periodLabel(period: ReportPeriod, tz: string): string {
  if (!period.from && !period.to) return "all-time";
  const parts: string[] = [];
  if (period.from) parts.push(`from-${localDateKey(period.from, tz)}`);
  if (period.to) parts.push(`before-${localDateKey(period.to, tz)}`);
  return parts.join("_");
}

export function periodText(period: ReportPeriod, tz: string): string {
  if (!period.from && !period.to) return "All time";
  const from = period.from ? `from ${localDateKey(period.from, tz)} 00:00 (included)` : "from the beginning";
  const to = period.to ? `to ${localDateKey(period.to, tz)} 00:00 (not included)` : "to now";
  return `${from} ${to}, ${tz}`;
}

/** The same for whole local days, inclusive of both ('YYYY-MM-DD'), as calendar dates (arrival dates). */
export function dayRangeLabel(fromDay: string | null, toDayInclusive: string | null): { label: string; text: string } {
  if (!fromDay && !toDayInclusive) return { label: "all-time", text: "All dates" };
  const after = toDayInclusive ? nextDay(toDayInclusive) : null;
  const label = [fromDay ? `from-${fromDay}` : null, after ? `before-${after}` : null].filter(Boolean).join("_");
  const text = `${fromDay ? `from ${fromDay} (included)` : "from the first"} ${after ? `to ${after} (not included)` : "to the last"}`;
  return { label, text };
}

export function nextDay(day: string): string {
  return localDateKey(addLocalDays(new Date(`${day}T12:00:00Z`), 1, "UTC"), "UTC");
}

export function previousDay(day: string): string {
  return localDateKey(addLocalDays(new Date(`${day}T12:00:00Z`), -1, "UTC"), "UTC");
}

/** rows() returns timestamptz as Date (both drivers) or text; either way a Date. */
export function asDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v : new Date(String(v));
}
