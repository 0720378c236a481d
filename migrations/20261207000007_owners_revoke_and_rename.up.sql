-- Owners revoke an open invitation (`DELETE …/invitations/{invitation_id}`) and rename
-- their household (`PATCH /api/households/{household_id}`), and the audit record says so:
-- two more action words, the same as shared::audit::AuditAction's. Revoking needs nothing
-- else (20261207000003_invitations_revoked lets owners set revoked_at); renaming needs
-- the runtime role to update the name, of the current household, as its owner.
-- Run as the schema owner.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_valid;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_action_valid CHECK (action IN (
    'household_created', 'household_renamed', 'household_suspended', 'household_reactivated',
    'invitation_created', 'invitation_revoked',
    'join_requested', 'join_request_approved', 'join_request_denied',
    'member_role_changed', 'member_removed', 'member_left',
    'vehicle_created', 'vehicle_updated', 'vehicle_deleted', 'fuel_log_created'));

CREATE POLICY households_renamed_by_owners ON households FOR UPDATE
    USING (id = (SELECT app.current_household_id())
           AND (SELECT app.current_member_role()) = 'owner')
    WITH CHECK (id = (SELECT app.current_household_id())
                AND (SELECT app.current_member_role()) = 'owner');
GRANT UPDATE (name) ON households TO household_app;
