-- Every primary key, unique constraint and foreign key of a tenant table leads with
-- household_id, so that each table can be distributed by household (Citus
-- `create_distributed_table('<table>', 'household_id')`, or hash partitions on
-- household_id): a unique or foreign key that one shard cannot check on its own cannot be
-- kept once the rows of different households live apart. `server audit-rls` refuses any
-- key that does not lead with household_id. Run as the schema owner.
--
-- vehicles and fuel_logs carried UNIQUE (id) beside their (household_id, id) primary keys.
-- Nothing references them (fuel_logs_vehicle_fkey is (household_id, vehicle_id) →
-- vehicles_pkey, so a fuel log can only name a vehicle of its own household), every lookup
-- by id runs inside one household (row-level security adds household_id = …, which leads
-- the primary key), and ids are random UUIDs: the primary keys are all the keys needed.
ALTER TABLE vehicles DROP CONSTRAINT vehicles_id_key;
ALTER TABLE fuel_logs DROP CONSTRAINT fuel_logs_id_key;
