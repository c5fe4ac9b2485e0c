/**
 * The schema's vocabulary: the columns, checks and keys that recur across tables, named once.
 * Each builder makes exactly what the tables spelled out before (same SQL name, type, default,
 * constraint name), so using one changes neither the database nor a table's TypeScript types.
 * It imports no table (a table file imports it): a foreign key names its table at the call,
 * `merchantId().references(() => merchants.id)`.
 */
import { sql, type BuildExtraConfigColumns, type SQL } from "drizzle-orm";
import {
  check,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
  type AnyPgColumn,
  type PgColumnBuilderBase,
  type PgTableExtraConfigValue,
} from "drizzle-orm/pg-core";
import { currency, money, tstz } from "./common";

/* ------------------------------- columns ------------------------------- */

/** The merchant a row belongs to: it leads every key of a merchant-owned table. */
export const merchantId = () => text("merchant_id").notNull();
/** A row's id (within its merchant where the table is merchant-owned). */
export const id = () => text("id").notNull();
/**
 * A merchant-owned row's own columns: merchant_id (a foreign key to merchants when the table
 * is given `() => merchants.id`) and the row's id; `merchantPk(t, t.id)` makes them its key.
 */
export const merchantRow = (merchant?: () => AnyPgColumn) => ({
  merchantId: merchant ? merchantId().references(merchant) : merchantId(),
  id: id(),
});
export const createdAt = () => tstz("created_at").notNull().defaultNow();
export const updatedAt = () => tstz("updated_at").notNull().defaultNow();
/** When a row was made and last changed: both start at now; a writer that changes the row sets updated_at. */
export const timestamps = () => ({
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
/** Where a request came from: its address and the browser's User-Agent. */
export const requestClient = () => ({
  ip: text("ip"),
  userAgent: text("user_agent"),
});
/** The member who made the row; null when the API, a job or a cardholder did. */
export const createdByUserId = () => text("created_by_user_id");
/** The caller's Idempotency-Key, null without one; `idempotencyUnique` keeps it once per merchant. */
export const idempotencyKey = () => text("idempotency_key");
/** An amount in minor units and its currency, in that order. */
export const amountAndCurrency = () => ({
  amount: money("amount").notNull(),
  currency: currency().notNull(),
});
/**
 * What a person recognises a card by: its last four digits and expiry (the number itself is
 * never stored). A saved card always has them (`required(cardTail())`); a payment may not.
 */
export const cardTail = () => ({
  cardLast4: text("card_last4"),
  cardExpMonth: smallint("card_exp_month"),
  cardExpYear: smallint("card_exp_year"),
});
/** A money column that starts at zero (rollups, running totals, limits). */
export const moneyZero = (name: string) => money(name).notNull().default(sql`0`);
/** The instants a billing or accounting period spans: [period_start, period_end). */
export const period = () => ({
  periodStart: tstz("period_start").notNull(),
  periodEnd: tstz("period_end").notNull(),
});
/**
 * Which of a rollup key's rows a transaction adds into: rollup_slot() in the database,
 * the backend's process id modulo 8 (db/migrations/0000_baseline.sql). One merchant's concurrent payments
 * would otherwise all queue on one row per rollup until each commits; with slots they
 * spread over up to eight rows, and every reader sums the slots of a key (the bulk
 * loader and the rebuilds write slot 0).
 */
export const slot = () => smallint("slot").notNull().default(0);

/** The same columns, each NOT NULL: for a table that always has what another may lack. */
export const required = <G extends Record<string, { notNull(): unknown }>>(group: G) =>
  Object.fromEntries(Object.entries(group).map(([name, column]) => [name, column.notNull()])) as {
    [K in keyof G]: ReturnType<G[K]["notNull"]>;
  };

/* ------------------------------- checks -------------------------------- */

/** `<table>_currency_iso`: an upper-case ISO 4217 code. */
export const currencyIso = (table: string, t: { currency: AnyPgColumn }) =>
  check(`${table}_currency_iso`, sql`${t.currency} ~ '^[A-Z]{3}$'`);
/** `<table>_amount_positive`. */
export const amountPositive = (table: string, t: { amount: AnyPgColumn }) =>
  check(`${table}_amount_positive`, sql`${t.amount} > 0`);
/** A text column that holds one of a few words (a status, a kind): `<column> in ('a', 'b')`. */
export const oneOf = (name: string, column: AnyPgColumn, values: readonly string[]) =>
  check(name, sql`${column} in (${sql.raw(values.map((v) => `'${v}'`).join(", "))})`);

/* --------------------------- merchant-led keys --------------------------- */

type Scoped = { merchantId: AnyPgColumn };
type Keyed = (AnyPgColumn | SQL)[];

/** The primary key (merchant_id, ...columns). */
export const merchantPk = (t: Scoped, ...columns: AnyPgColumn[]) => primaryKey({ columns: [t.merchantId, ...columns] });
/** An index on (merchant_id, ...columns). */
export const merchantIndex = (name: string, t: Scoped, ...columns: Keyed) => index(name).on(t.merchantId, ...columns);
/** A unique index on (merchant_id, ...columns). */
export const merchantUnique = (name: string, t: Scoped, ...columns: Keyed) => uniqueIndex(name).on(t.merchantId, ...columns);
/**
 * A merchant's list in keyset order: (merchant_id, ...filters, created_at, id), the order the
 * console and the API page by (newest first, id breaking ties).
 */
export const keysetIndex = (name: string, t: Scoped & { createdAt: AnyPgColumn; id: AnyPgColumn }, ...filters: AnyPgColumn[]) =>
  merchantIndex(name, t, ...filters, t.createdAt, t.id);
/** `<table>_idempotency`: one row per merchant and Idempotency-Key. */
export const idempotencyUnique = (table: string, t: Scoped & { idempotencyKey: AnyPgColumn }) =>
  merchantUnique(`${table}_idempotency`, t, t.idempotencyKey);
/** (merchant_id, column) references (merchant_id, id) of another of the merchant's tables. */
export const merchantFk = (t: Scoped, column: AnyPgColumn, target: Scoped & { id: AnyPgColumn }) =>
  foreignKey({ columns: [t.merchantId, column], foreignColumns: [target.merchantId, target.id] });

/* ------------------------- merchant-owned tables ------------------------- */

type Columns = Record<string, PgColumnBuilderBase>;
type MerchantColumn = { merchantId: ReturnType<typeof merchantId> };
type Extra<N extends string, C extends Columns> = (t: BuildExtraConfigColumns<N, C, "pg">) => PgTableExtraConfigValue[];

/**
 * A table of the merchant's: merchant_id is its first column; `extra` gives its key
 * (`merchantPk(t, ...)`), indexes and checks as pgTable's third argument does.
 */
export const merchantTable = <N extends string, C extends Columns>(name: N, columns: C, extra?: Extra<N, MerchantColumn & C>) =>
  pgTable<N, MerchantColumn & C>(name, { merchantId: merchantId(), ...columns }, extra);

/**
 * A table of the merchant's rows with ids of their own: merchant_id and id are its first
 * columns and its primary key (merchant_id, id); `extra` adds the rest. `merchant`, when
 * given (`() => merchants.id`), makes merchant_id a foreign key to merchants.
 */
export const merchantRowTable = <N extends string, C extends Columns>(
  name: N,
  columns: C,
  extra?: Extra<N, ReturnType<typeof merchantRow> & C>,
  merchant?: () => AnyPgColumn,
) => pgTable(name, { ...merchantRow(merchant), ...columns }, (t) => [merchantPk(t, t.id), ...(extra?.(t) ?? [])]);
