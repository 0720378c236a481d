DROP TRIGGER audit_events_retained ON audit_events;
DROP FUNCTION app_private.retain_audit_events();
DROP POLICY audit_events_pruned_by_schema_owner ON audit_events;
DROP POLICY audit_events_seen_by_schema_owner ON audit_events;
DROP TABLE app_private.audit_tally;
DROP TABLE app_private.audit_retention;
