/**
 * The provider registry a merchant chooses from during onboarding: the `processors`
 * table (what the platform offers) joined with the implementations this build ships
 * (sandbox-processor.server.ts). Only the sandbox exists today; a real PSP would be one
 * more row and one more Processor implementation.
 */
import { asc, eq } from "drizzle-orm";
import { processors } from "~db/schema";
import { db, type DbOrTx } from "~db/client.server";
import { processorFor } from "./sandbox-processor.server";

export interface ProviderInfo {
  id: string;
  name: string;
  description: string;
  /** Offered by the platform and implemented in this build. */
  available: boolean;
  /** automatic: the merchant is activated as soon as onboarding is complete (the sandbox); review: a person at the provider approves it. */
  activation: "automatic" | "review";
}

function implemented(id: string): boolean {
  return processorFor(id).id === id;
}

export async function listProviders(dbx: DbOrTx = db()): Promise<ProviderInfo[]> {
  const list = await dbx.select().from(processors).orderBy(asc(processors.name));
  return list.map((p) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    available: p.enabled && implemented(p.id),
    activation: p.id === "sandbox" ? "automatic" : "review",
  }));
}

export async function getProvider(id: string, dbx: DbOrTx = db()): Promise<ProviderInfo | null> {
  const [p] = await dbx.select().from(processors).where(eq(processors.id, id));
  if (!p) return null;
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    available: p.enabled && implemented(p.id),
    activation: p.id === "sandbox" ? "automatic" : "review",
  };
}
