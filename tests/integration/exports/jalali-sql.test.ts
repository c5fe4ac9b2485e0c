import { sql } from "drizzle-orm";
import { rows } from "../../../db/client.server";
import { jalaliDayText } from "../../../app/lib/day-input";
import { useTestDatabase } from "../../support/db";

/**
 * jalali_date_text (db/migrations/0000_baseline.sql) renders the Jalali columns of exports that run as one
 * COPY; the JavaScript path uses jalaliDayText (Intl's Persian calendar). They must agree
 * on every day, or a file would change with the path it took.
 */
const t = useTestDatabase({ seed: "none" });

describe("jalali_date_text in SQL", () => {
  it("agrees with jalaliDayText on every day of Jalali 1300-1500 (1921-03-21 to 2122-03-20)", async () => {
    const days = await rows<{ day: string; jalali: string }>(
      t.db,
      sql`select d::date::text as day, jalali_date_text(d::date) as jalali
          from generate_series('1921-03-21'::date, '2122-03-20'::date, interval '1 day') d order by 1`,
    );
    expect(days).toHaveLength(73_414);
    expect(days[0]!.jalali).toBe("1300/01/01");
    expect(days.at(-1)!.jalali).toBe("1500/12/29");
    const wrong = days.filter((d) => d.jalali !== jalaliDayText(d.day));
    expect(wrong.slice(0, 10).map((d) => `${d.day}: SQL ${d.jalali}, JS ${jalaliDayText(d.day)}`)).toEqual([]);
    // Nowruz 1404 and the last day of leap year 1403, as people know them.
    expect(days.find((d) => d.day === "2025-03-21")!.jalali).toBe("1404/01/01");
    expect(days.find((d) => d.day === "2025-03-20")!.jalali).toBe("1403/12/30");
  });

  it("is NULL for NULL", async () => {
    const [r] = await rows<{ j: string | null }>(t.db, sql`select jalali_date_text(null) as j`);
    expect(r!.j).toBeNull();
  });
});
