-- The Jalali (Solar Hijri) date of a Gregorian date as text, "1404/01/01" with Latin digits:
-- exactly what app/lib/day-input jalaliDayText writes (it reads Intl's Persian calendar, ICU's
-- arithmetic 33-year cycle, the same arithmetic as below). CSV exports that run as one COPY
-- statement render their Jalali columns with it (tests/integration/exports/jalali-sql.test.ts
-- checks it against the JavaScript for every day of 1990-2040).
CREATE OR REPLACE FUNCTION jalali_date_text(d date) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  -- Days since 1 Farvardin of year 1 (Julian day 1,948,320); 1970-01-01 is Julian day 2,440,588.
  ds bigint := (d - DATE '1970-01-01') + 492268;
  y bigint;
  doy bigint;
  m bigint;
BEGIN
  -- Floor division (a - mod(a, b)) / b, with the modulo taken positive, also before year 1.
  y := 1 + ((33 * ds + 3) - (((33 * ds + 3) % 12053) + 12053) % 12053) / 12053;
  doy := ds - (365 * (y - 1) + ((8 * y + 21) - (((8 * y + 21) % 33) + 33) % 33) / 33);
  m := CASE WHEN doy < 216 THEN doy / 31 ELSE (doy - 6) / 30 END;
  RETURN lpad(y::text, greatest(4, length(y::text)), '0') || '/' || lpad((m + 1)::text, 2, '0') || '/'
    || lpad((doy - CASE WHEN m <= 6 THEN 31 * m ELSE 30 * m + 6 END + 1)::text, 2, '0');
END;
$$;
