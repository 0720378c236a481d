ALTER TABLE audit_events DROP COLUMN event_id;
