/**
 * Saved views: a named set of a list's filters and columns (its query string), kept for the
 * member who saved it or shared with the merchant's team. Applying one is opening the list
 * with that query; the list's own loader still checks who may see what.
 */
import { sql } from "drizzle-orm";
import { boolean, check, index, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { tstz } from "./common";
import { merchants } from "./merchants";

export const savedViews = pgTable(
  "saved_views",
  {
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    id: text("id").notNull(),
    ownerUserId: text("owner_user_id").notNull(),
    /** Which list: payments, refunds, payouts, audit (SAVED_VIEW_LISTS in app/lib/saved-views.ts). */
    list: text("list").notNull(),
    name: text("name").notNull(),
    /** The list's query string without paging (status=captured&cols=amount,status...). */
    query: text("query").notNull().default(""),
    shared: boolean("shared").notNull().default(false),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.merchantId, t.id] }),
    // One name per person and list, whatever its case.
    uniqueIndex("saved_views_owner_name").on(t.merchantId, t.ownerUserId, t.list, sql`lower(${t.name})`),
    index("saved_views_list").on(t.merchantId, t.list),
    check("saved_views_name_length", sql`char_length(${t.name}) between 1 and 60`),
    check("saved_views_query_length", sql`char_length(${t.query}) <= 2000`),
  ],
);
