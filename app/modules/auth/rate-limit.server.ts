import { eq, sql } from "drizzle-orm";
import { rateLimits } from "~db/schema";
import type { DbOrTx } from "~db/client.server";
import { rows } from "~db/client.server";

export interface WindowState {
  count: number;
  /** When the current window ends (the counter starts again). */
  resetsAt: Date;
}

/** Adds one to a fixed-window counter (a new window starts when the old one is over). */
export async function hit(dbx: DbOrTx, key: string, windowMs: number, now = new Date()): Promise<WindowState> {
  const cutoff = new Date(now.getTime() - windowMs);
  const [row] = await rows<{ count: number; window_start: string | Date }>(
    dbx,
    sql`insert into rate_limits (key, window_start, count) values (${key}, ${now.toISOString()}, 1)
        on conflict (key) do update set
          count = case when rate_limits.window_start <= ${cutoff.toISOString()} then 1 else rate_limits.count + 1 end,
          window_start = case when rate_limits.window_start <= ${cutoff.toISOString()} then excluded.window_start else rate_limits.window_start end
        returning count, window_start`,
  );
  const start = new Date(row!.window_start);
  return { count: Number(row!.count), resetsAt: new Date(start.getTime() + windowMs) };
}

export async function peek(dbx: DbOrTx, key: string, windowMs: number, now = new Date()): Promise<WindowState> {
  const row = await dbx.query.rateLimits.findFirst({ where: eq(rateLimits.key, key) });
  if (!row || row.windowStart.getTime() + windowMs <= now.getTime()) {
    return { count: 0, resetsAt: new Date(now.getTime() + windowMs) };
  }
  return { count: row.count, resetsAt: new Date(row.windowStart.getTime() + windowMs) };
}

export async function clear(dbx: DbOrTx, key: string): Promise<void> {
  await dbx.delete(rateLimits).where(eq(rateLimits.key, key));
}
