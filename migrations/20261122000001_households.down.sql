REVOKE ALL ON households, household_members, vehicles, fuel_logs FROM household_app;
DROP TABLE fuel_logs;
DROP TABLE vehicles;
-- households' policy reads household_members: drop it first.
DROP POLICY own_households ON households;
DROP TABLE household_members;
DROP TABLE households;
DROP SCHEMA app CASCADE;
