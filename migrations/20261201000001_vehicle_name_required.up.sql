-- A blank name and a long name are two different mistakes with two different messages
-- (shared::vehicles::name_required and name_too_long): one constraint each, so the server
-- can answer a refused row with the message `validate()` gives for the same value.
ALTER TABLE vehicles
    DROP CONSTRAINT vehicles_name_length,
    ADD CONSTRAINT vehicles_name_required CHECK (char_length(name) >= 1),
    ADD CONSTRAINT vehicles_name_length CHECK (char_length(name) <= 100);
