-- A code is good only while its inviter could still invite, in a household that is active.
-- Before this, a code stayed redeemable for its seven days after its inviter stopped being
-- an owner (demoted, removed, left) or the household was suspended. Such codes are now
-- revoked at the moment it happens, in the transaction that makes it happen, and a revoked
-- code is as unusable as a used one. Revoked codes stay revoked when a suspended household
-- is reactivated: whoever got one before the suspension asks its owners for a new one.
-- Run as the schema owner.

ALTER TABLE invitations ADD COLUMN revoked_at timestamptz;

-- Redemption: only an unused, unexpired, unrevoked invitation can be marked used.
ALTER POLICY invitation_redeemed ON invitations
    USING ((SELECT app.current_household_id()) IS NULL
           AND household_id = (SELECT app.redeeming_household())
           AND code_hash = (SELECT app.redeeming_code_hash())
           AND used_by IS NULL AND revoked_at IS NULL AND expires_at > now())
    WITH CHECK (used_by = (SELECT app.current_user_sub()));

-- Owners revoke the current household's invitations (the triggers below, as the owner who
-- demotes or removes an owner, or who leaves). The runtime role may set revoked_at and
-- nothing else it could not already.
CREATE POLICY invitations_revoked_by_owners ON invitations FOR UPDATE
    USING (household_id = (SELECT app.current_household_id())
           AND (SELECT app.current_member_role()) = 'owner')
    WITH CHECK (household_id = (SELECT app.current_household_id())
                AND (SELECT app.current_member_role()) = 'owner');
GRANT UPDATE (revoked_at) ON invitations TO household_app;

-- `server household suspend`: the owner connection revokes the household's open codes.
-- Only a role that may act as the table's owner passes (as audit_events_written_by_operator).
CREATE POLICY invitations_seen_by_operator ON invitations FOR SELECT
    USING (household_id = (SELECT app.current_household_id())
           AND pg_has_role((SELECT c.relowner FROM pg_class c
                            WHERE c.oid = 'public.invitations'::regclass), 'MEMBER'));
CREATE POLICY invitations_revoked_by_operator ON invitations FOR UPDATE
    USING (household_id = (SELECT app.current_household_id())
           AND pg_has_role((SELECT c.relowner FROM pg_class c
                            WHERE c.oid = 'public.invitations'::regclass), 'MEMBER'))
    WITH CHECK (household_id = (SELECT app.current_household_id()));

-- BEFORE triggers, as whoever makes the change: the membership being changed is still as
-- it was, so the owner who demotes or removes (or an owner leaving) is still an owner for
-- the revoking UPDATE's policies.
CREATE FUNCTION app.revoke_former_owners_invitations() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        UPDATE public.invitations SET revoked_at = now()
        WHERE household_id = OLD.household_id AND created_by = OLD.user_sub
          AND used_by IS NULL AND revoked_at IS NULL;
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
    END
    $$;
CREATE TRIGGER invitations_revoked_on_owner_demoted
    BEFORE UPDATE OF role ON household_members
    FOR EACH ROW WHEN (OLD.role = 'owner' AND NEW.role <> 'owner')
    EXECUTE FUNCTION app.revoke_former_owners_invitations();
CREATE TRIGGER invitations_revoked_on_owner_removed
    BEFORE DELETE ON household_members
    FOR EACH ROW WHEN (OLD.role = 'owner')
    EXECUTE FUNCTION app.revoke_former_owners_invitations();

CREATE FUNCTION app.revoke_suspended_households_invitations() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        UPDATE public.invitations SET revoked_at = now()
        WHERE household_id = NEW.id AND used_by IS NULL AND revoked_at IS NULL;
        RETURN NEW;
    END
    $$;
CREATE TRIGGER invitations_revoked_on_suspension
    BEFORE UPDATE OF status ON households
    FOR EACH ROW WHEN (NEW.status <> 'active' AND OLD.status = 'active')
    EXECUTE FUNCTION app.revoke_suspended_households_invitations();
REVOKE EXECUTE ON FUNCTION app.revoke_former_owners_invitations() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION app.revoke_suspended_households_invitations() FROM PUBLIC;

-- The codes already out whose inviter is no longer an owner, or whose household is not
-- active. FORCE is lifted for this one statement, inside the migration's transaction: the
-- owner would otherwise be bound by the policies, with no household context to pass them.
ALTER TABLE invitations NO FORCE ROW LEVEL SECURITY;
ALTER TABLE household_members NO FORCE ROW LEVEL SECURITY;
ALTER TABLE households NO FORCE ROW LEVEL SECURITY;
UPDATE invitations i SET revoked_at = now()
WHERE i.used_by IS NULL AND i.revoked_at IS NULL
  AND (NOT EXISTS (SELECT 1 FROM household_members m
                   WHERE m.household_id = i.household_id AND m.user_sub = i.created_by
                     AND m.role = 'owner')
       OR EXISTS (SELECT 1 FROM households h
                  WHERE h.id = i.household_id AND h.status <> 'active'));
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
ALTER TABLE household_members FORCE ROW LEVEL SECURITY;
ALTER TABLE households FORCE ROW LEVEL SECURITY;
