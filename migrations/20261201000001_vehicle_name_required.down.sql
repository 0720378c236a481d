ALTER TABLE vehicles
    DROP CONSTRAINT vehicles_name_required,
    DROP CONSTRAINT vehicles_name_length,
    ADD CONSTRAINT vehicles_name_length CHECK (char_length(name) BETWEEN 1 AND 100);
