/**
 * The schema can be distributed by merchant_id (Citus) without rework: read from the
 * catalog of a freshly migrated database, every merchant-owned table carries
 * merchant_id in its primary key, in every unique constraint and unique index, and in
 * every foreign key to another merchant-owned table (so joins and constraints stay on
 * one node). The global tables (reference tables under Citus) are listed here by name:
 * a new table must be added to one side or the other on purpose.
 */
import { sql } from "drizzle-orm";
import { rows } from "../../../db/client.server";
import { useTestDatabase } from "../../support/db";

const t = useTestDatabase({ seed: "none" });

/** Not owned by one merchant: people, sessions, reference data, the audit trail, the sandbox provider's own tables. */
const GLOBAL_TABLES = [
  "users",
  "sessions",
  "recovery_codes",
  "rate_limits",
  "outbound_emails",
  "outbound_email_attachments",
  // A person's browsers and password reset links: the user's, whichever merchants they work for.
  "known_browsers",
  "password_resets",
  "api_keys",
  "processors",
  "holidays",
  "audit_events",
  "system_state",
  "job_workers",
  // Public payment-link id -> merchant, as api_keys is for keys: looked up before the merchant is known.
  "payment_link_routes",
  // Reference data: VAT rates by country and effective date.
  "vat_rates",
];
const GLOBAL_PREFIXES = ["sandbox_"];
/** The distribution table itself: its id is the merchant id. */
const MERCHANTS = "merchants";

const isGlobal = (table: string) => GLOBAL_TABLES.includes(table) || GLOBAL_PREFIXES.some((p) => table.startsWith(p));

interface KeyRow {
  table_name: string;
  kind: string;
  name: string;
  columns: string[] | string;
  ref_table: string | null;
  ref_columns: string[] | string | null;
}

const list = (v: string[] | string | null): string[] => (v === null ? [] : Array.isArray(v) ? v : String(v).replace(/[{}"]/g, "").split(",").filter(Boolean));

async function tables(): Promise<string[]> {
  const r = await rows<{ name: string }>(
    t.db,
    sql`select c.relname as name from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') order by 1`,
  );
  return r.map((x) => x.name);
}

/** Primary keys, unique constraints, unique indexes and foreign keys of the public schema, with their columns. */
async function keys(): Promise<KeyRow[]> {
  return rows<KeyRow>(
    t.db,
    sql`select c.relname as table_name, con.contype::text as kind, con.conname as name,
          array(select a.attname::text from unnest(con.conkey) with ordinality k(att, n)
                join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.att order by k.n) as columns,
          rc.relname as ref_table,
          case when con.contype = 'f' then array(select a.attname::text from unnest(con.confkey) with ordinality k(att, n)
                join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.att order by k.n) end as ref_columns
        from pg_constraint con
        join pg_class c on c.oid = con.conrelid
        left join pg_class rc on rc.oid = con.confrelid
        where c.relnamespace = 'public'::regnamespace and con.contype in ('p', 'u', 'f')
      union all
        select c.relname, 'i', ic.relname,
          array(select coalesce(a.attname::text, pg_get_indexdef(i.indexrelid, k.n::int, true))
                from unnest(i.indkey) with ordinality k(att, n)
                left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.att order by k.n),
          null, null
        from pg_index i
        join pg_class c on c.oid = i.indrelid
        join pg_class ic on ic.oid = i.indexrelid
        where c.relnamespace = 'public'::regnamespace and i.indisunique
          and not exists (select 1 from pg_constraint con where con.conindid = i.indexrelid)`,
  );
}

describe("every merchant-owned table can be distributed by merchant_id", () => {
  it("lists the global tables that exist, and nothing else is global", async () => {
    const all = await tables();
    for (const g of GLOBAL_TABLES) expect(all, `${g} is listed as global but does not exist`).toContain(g);
    expect(all).toContain(MERCHANTS);
    // Everything else is merchant-owned and has the column.
    const owned = all.filter((x) => x !== MERCHANTS && !isGlobal(x));
    expect(owned.length).toBeGreaterThan(10);
    const cols = await rows<{ table_name: string; nullable: string }>(
      t.db,
      sql`select table_name, is_nullable as nullable from information_schema.columns
          where table_schema = 'public' and column_name = 'merchant_id'`,
    );
    const withColumn = new Map(cols.map((c) => [c.table_name, c.nullable]));
    for (const table of owned) {
      expect(withColumn.get(table), `${table}: a merchant-owned table needs merchant_id NOT NULL (or list it as global)`).toBe("NO");
    }
  });

  it("keeps merchant_id in every primary key, unique constraint and unique index of merchant-owned tables", async () => {
    const unique = (await keys()).filter((k) => k.kind !== "f" && k.table_name !== MERCHANTS && !isGlobal(k.table_name));
    expect(unique.length).toBeGreaterThan(15);
    const bad = unique
      .filter((k) => !list(k.columns).includes("merchant_id"))
      .map((k) => `${k.table_name}.${k.name} (${list(k.columns).join(", ")})`);
    expect(bad).toEqual([]);
    // And every merchant-owned table has a primary key at all (a distributed table needs one to be useful).
    const all = await tables();
    const withPk = new Set((await keys()).filter((k) => k.kind === "p").map((k) => k.table_name));
    expect(all.filter((x) => !isGlobal(x) && !withPk.has(x))).toEqual([]);
  });

  it("joins merchant-owned tables on merchant_id in every foreign key (co-located)", async () => {
    const between = (await keys())
      .filter((k) => k.kind === "f" && !isGlobal(k.table_name) && k.table_name !== MERCHANTS)
      .filter((k) => k.ref_table !== null && !isGlobal(k.ref_table));
    expect(between.length).toBeGreaterThan(10);
    const bad = between
      .filter((k) => {
        const cols = list(k.columns);
        const refs = list(k.ref_columns);
        if (k.ref_table === MERCHANTS) return !(cols.length === 1 && cols[0] === "merchant_id");
        const i = cols.indexOf("merchant_id");
        return i < 0 || refs[i] !== "merchant_id";
      })
      .map((k) => `${k.table_name}.${k.name} (${list(k.columns).join(", ")}) -> ${k.ref_table} (${list(k.ref_columns).join(", ")})`);
    expect(bad).toEqual([]);
  });
});
