ALTER TABLE fuel_logs ADD CONSTRAINT fuel_logs_id_key UNIQUE (id);
ALTER TABLE vehicles ADD CONSTRAINT vehicles_id_key UNIQUE (id);
