DROP TRIGGER invitations_revoked_on_suspension ON households;
DROP TRIGGER invitations_revoked_on_owner_removed ON household_members;
DROP TRIGGER invitations_revoked_on_owner_demoted ON household_members;
DROP FUNCTION app.revoke_suspended_households_invitations();
DROP FUNCTION app.revoke_former_owners_invitations();
DROP POLICY invitations_revoked_by_operator ON invitations;
DROP POLICY invitations_seen_by_operator ON invitations;
DROP POLICY invitations_revoked_by_owners ON invitations;
ALTER POLICY invitation_redeemed ON invitations
    USING ((SELECT app.current_household_id()) IS NULL
           AND household_id = (SELECT app.redeeming_household())
           AND code_hash = (SELECT app.redeeming_code_hash())
           AND used_by IS NULL AND expires_at > now())
    WITH CHECK (used_by = (SELECT app.current_user_sub()));
REVOKE UPDATE (revoked_at) ON invitations FROM household_app;
ALTER TABLE invitations DROP COLUMN revoked_at;
