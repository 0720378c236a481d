REVOKE DELETE ON households FROM household_app;
DROP POLICY households_deleted_by_owners ON households;
DROP TRIGGER households_buried ON households;
DROP FUNCTION app_private.bury_household();
DROP TABLE app_private.household_tombstones;
