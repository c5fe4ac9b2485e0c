import { pgTable, text } from "drizzle-orm/pg-core";
import { terminalKind, terminalStatus } from "./enums";
import { tstz } from "./common";
import { merchantId, createdAt, merchantIndex, timestamps, merchantRowTable } from "./columns";
import { merchants } from "./merchants";

export const terminals = merchantRowTable(
  "terminals",
  {
    name: text("name").notNull(),
    location: text("location"),
    kind: terminalKind("kind").notNull(),
    status: terminalStatus("status").notNull().default("active"),
    // The visible start of the current key (e.g. "sk_test_coffee_w"), never the key.
    apiKeyPrefix: text("api_key_prefix"),
    apiKeyLast4: text("api_key_last4"),
    apiKeyCreatedAt: tstz("api_key_created_at"),
    lastUsedAt: tstz("last_used_at"),
    ...timestamps(),
    deactivatedAt: tstz("deactivated_at"),
  },
  (t) => [merchantIndex("terminals_status", t, t.status)],
  () => merchants.id,
);

// Global routing table: an API request carries only its key, so the key's hash is
// looked up here before the merchant is known (a reference table under Citus).
export const apiKeys = pgTable(
  "api_keys",
  {
    keyHash: text("key_hash").primaryKey(),
    merchantId: merchantId(),
    terminalId: text("terminal_id").notNull(),
    createdAt: createdAt(),
    revokedAt: tstz("revoked_at"),
  },
  (t) => [merchantIndex("api_keys_terminal", t, t.terminalId)],
);
