import { bigint, char, customType, timestamp } from "drizzle-orm/pg-core";

/** Money: bigint minor units, read as JS bigint. Never number, never float. */
export const money = (name: string) => bigint(name, { mode: "bigint" });
/** ISO 4217 code; the CHECK constraints in each table keep it upper-case A-Z. */
export const currency = (name = "currency") => char(name, { length: 3 });
/** UTC instants. */
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType() {
    return "bytea";
  },
});
