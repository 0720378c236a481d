-- Audit cursors that reveal nothing across households. The page cursor used to be the
-- event's id, a sequence shared by every household: the gaps between one household's ids
-- counted the other households' activity. Each event now has a random id of its own, the
-- cursor names it, and the page query finds its position under row-level security, so a
-- cursor of another household finds nothing. Run as the schema owner.
ALTER TABLE audit_events
    ADD COLUMN event_id uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD CONSTRAINT audit_events_event_id_key UNIQUE (household_id, event_id);
