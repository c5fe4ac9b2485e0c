/**
 * What every detail page's loader does first: the reader may see this kind of thing
 * (`permission`), the URL names one of ours (ids are letters, digits and underscores; anything
 * else is not asked of the database) and it exists in the reader's merchant. Otherwise the
 * refusal is the guard's: audited, and a 404 in the reader's language naming what was missing.
 */
import type { Permission } from "~/lib/permissions";
import { notFound, requireContext, type AppContext } from "~/web/guard.server";

const ID = /^[A-Za-z0-9_]{1,100}$/;

export async function requireFound<T>(
  request: Request,
  permission: Permission,
  what: { type: string; id: string | undefined },
  find: (ctx: AppContext, id: string) => Promise<T | null | undefined>,
): Promise<{ ctx: AppContext; id: string; found: T }> {
  const ctx = await requireContext(request, permission);
  const id = what.id ?? "";
  const found = ID.test(id) ? await find(ctx, id) : null;
  if (found === null || found === undefined) return notFound(ctx, request, { type: what.type, id });
  return { ctx, id, found };
}
