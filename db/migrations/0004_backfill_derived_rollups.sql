-- Databases created before 0003 already hold payments and ledger rows that the new
-- derived rollups know nothing about: fill them once from the rows themselves
-- (on a new, empty database this is a no-op).
SELECT rebuild_derived_rollups();
