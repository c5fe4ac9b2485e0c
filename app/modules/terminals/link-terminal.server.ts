/**
 * The terminal a merchant's hosted payments are taken on (payment links, the subscribe page,
 * subscription renewals): created, with its event, the first time one is needed.
 */
import { and, eq } from "drizzle-orm";
import { terminals } from "~db/schema";
import type { DbOrTx } from "~db/client.server";
import { newId } from "~/lib/ids";
import { recordEvent } from "~/modules/events/events.server";
import { serializeTerminal } from "~/modules/events/objects";

/** The merchant's "Payment links" terminal, created with its first link. */
export async function linkTerminal(tx: DbOrTx, merchantId: string, now: Date): Promise<{ id: string; status: string }> {
  const [existing] = await tx
    .select({ id: terminals.id, status: terminals.status })
    .from(terminals)
    .where(and(eq(terminals.merchantId, merchantId), eq(terminals.kind, "link")))
    .orderBy(terminals.createdAt)
    .limit(1);
  if (existing) return existing;
  const id = newId("term", now);
  const [row] = await tx.insert(terminals).values({ merchantId, id, name: "Payment links", location: null, kind: "link", createdAt: now, updatedAt: now }).returning();
  await recordEvent(tx, merchantId, "terminal.created", serializeTerminal(row!));
  return { id, status: "active" };
}
