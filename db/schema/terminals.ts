import { index, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { terminalKind, terminalStatus } from "./enums";
import { tstz } from "./common";
import { merchants } from "./merchants";

export const terminals = pgTable(
  "terminals",
  {
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    id: text("id").notNull(),
    name: text("name").notNull(),
    location: text("location"),
    kind: terminalKind("kind").notNull(),
    status: terminalStatus("status").notNull().default("active"),
    // The visible start of the current key (e.g. "sk_test_coffee_w"), never the key.
    apiKeyPrefix: text("api_key_prefix"),
    apiKeyLast4: text("api_key_last4"),
    apiKeyCreatedAt: tstz("api_key_created_at"),
    lastUsedAt: tstz("last_used_at"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
    deactivatedAt: tstz("deactivated_at"),
  },
  (t) => [primaryKey({ columns: [t.merchantId, t.id] }), index("terminals_status").on(t.merchantId, t.status)],
);

// Global routing table: an API request carries only its key, so the key's hash is
// looked up here before the merchant is known (a reference table under Citus).
export const apiKeys = pgTable(
  "api_keys",
  {
    keyHash: text("key_hash").primaryKey(),
    merchantId: text("merchant_id").notNull(),
    terminalId: text("terminal_id").notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
    revokedAt: tstz("revoked_at"),
  },
  (t) => [index("api_keys_terminal").on(t.merchantId, t.terminalId)],
);
