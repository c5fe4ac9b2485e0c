/**
 * Saved views: a named set of a list's filters and columns (its query string), kept for the
 * member who saved it or shared with the merchant's team. Applying one is opening the list
 * with that query; the list's own loader still checks who may see what.
 */
import { sql } from "drizzle-orm";
import { boolean, check, text } from "drizzle-orm/pg-core";
import { merchantIndex, merchantUnique, timestamps, merchantRowTable } from "./columns";
import { merchants } from "./merchants";

export const savedViews = merchantRowTable(
  "saved_views",
  {
    ownerUserId: text("owner_user_id").notNull(),
    /** Which list: payments, refunds, payouts, audit (SAVED_VIEW_LISTS in app/lib/saved-views.ts). */
    list: text("list").notNull(),
    name: text("name").notNull(),
    /** The list's query string without paging (status=captured&cols=amount,status...). */
    query: text("query").notNull().default(""),
    shared: boolean("shared").notNull().default(false),
    ...timestamps(),
  },
  (t) => [
    // One name per person and list, whatever its case.
    merchantUnique("saved_views_owner_name", t, t.ownerUserId, t.list, sql`lower(${t.name})`),
    merchantIndex("saved_views_list", t, t.list),
    check("saved_views_name_length", sql`char_length(${t.name}) between 1 and 60`),
    check("saved_views_query_length", sql`char_length(${t.query}) <= 2000`),
  ],
  () => merchants.id,
);
