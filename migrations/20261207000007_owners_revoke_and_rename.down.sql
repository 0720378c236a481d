REVOKE UPDATE (name) ON households FROM household_app;
DROP POLICY households_renamed_by_owners ON households;
-- The events of the two words go with them (row-level security lifted for the owner).
ALTER TABLE audit_events NO FORCE ROW LEVEL SECURITY;
DELETE FROM audit_events WHERE action IN ('invitation_revoked', 'household_renamed');
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_valid;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_action_valid CHECK (action IN (
    'household_created', 'household_suspended', 'household_reactivated',
    'invitation_created', 'join_requested', 'join_request_approved', 'join_request_denied',
    'member_role_changed', 'member_removed', 'member_left',
    'vehicle_created', 'vehicle_updated', 'vehicle_deleted', 'fuel_log_created'));
