-- Households have a life: created by a signed-in person, joined with an invitation code
-- and an owner's approval, managed by their owners, and audited. Run as the schema owner.
--
-- Everything here runs as the runtime role under forced row-level security, with no
-- SECURITY DEFINER function. Two steps happen before the caller has any household
-- context, and each gets a context of its own, narrow enough to do exactly that step:
--   * creating a household: the server picks the new id and enters it as the household
--     context; the runtime role may insert a household only with the id of its context,
--     and may insert itself as that household's first owner only when the household row
--     was written by this very transaction and has no member yet (app.founding_household);
--   * redeeming a code: the server sets app.redeeming_household (the household the code
--     names) and app.redeeming_code_hash (the SHA-256 of the code); only the invitation
--     with that hash is visible, and only the caller's own join request can be written.
--     Without the code, its hash is unknown, and nothing of the household is visible.

-- A blank name and a long name: two mistakes, two messages (shared::households).
ALTER TABLE households
    DROP CONSTRAINT households_name_length,
    ADD CONSTRAINT households_name_required CHECK (char_length(name) >= 1),
    ADD CONSTRAINT households_name_length CHECK (char_length(name) <= 200);

CREATE FUNCTION app.redeeming_household() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT CASE
            WHEN current_setting('app.redeeming_household', true)
                 ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
            THEN current_setting('app.redeeming_household', true)::uuid
        END
    $$;

CREATE FUNCTION app.redeeming_code_hash() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.redeeming_code_hash', true), '') $$;

-- Whether the current household was inserted by this transaction and has no member yet:
-- the only moment at which someone may make themselves its owner. xmin names the
-- transaction that wrote the row; no other transaction's household can match.
CREATE FUNCTION app.founding_household() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT EXISTS (SELECT 1 FROM public.households h
                       WHERE h.id = app.current_household_id()
                         AND h.xmin = pg_current_xact_id()::xid)
           AND NOT EXISTS (SELECT 1 FROM public.household_members m
                           WHERE m.household_id = app.current_household_id())
    $$;

-- Creating a household: only with the id of the transaction's context (see above).
CREATE POLICY household_creation ON households FOR INSERT
    WITH CHECK (id = (SELECT app.current_household_id()) AND status = 'active');
GRANT INSERT ON households TO household_app;

-- Owners manage the members of the current household; anyone may leave it. The role is
-- the database's (app.current_member_role), never the token's.
CREATE POLICY members_added_by_owners ON household_members FOR INSERT
    WITH CHECK (household_id = (SELECT app.current_household_id())
                AND ((SELECT app.current_member_role()) = 'owner'
                     OR (role = 'owner'
                         AND user_sub = (SELECT app.current_user_sub())
                         AND (SELECT app.founding_household()))));
CREATE POLICY members_changed_by_owners ON household_members FOR UPDATE
    USING (household_id = (SELECT app.current_household_id())
           AND (SELECT app.current_member_role()) = 'owner')
    WITH CHECK (household_id = (SELECT app.current_household_id())
                AND (SELECT app.current_member_role()) = 'owner');
CREATE POLICY members_removed_by_owners_or_themselves ON household_members FOR DELETE
    USING (household_id = (SELECT app.current_household_id())
           AND ((SELECT app.current_member_role()) = 'owner'
                OR user_sub = (SELECT app.current_user_sub())));
GRANT INSERT, DELETE ON household_members TO household_app;
GRANT UPDATE (role) ON household_members TO household_app;

-- A household always keeps an owner. Checked after each demotion or removal of an owner,
-- under a per-household lock so that two owners demoting each other at once cannot both
-- succeed: the second waits, then sees the first's change. Raised as a named constraint,
-- which the server answers with 409.
CREATE FUNCTION app.keep_an_owner() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended(OLD.household_id::text, 0));
        IF NOT EXISTS (SELECT 1 FROM public.household_members
                       WHERE household_id = OLD.household_id AND role = 'owner')
           AND EXISTS (SELECT 1 FROM public.households WHERE id = OLD.household_id) THEN
            RAISE EXCEPTION 'a household keeps at least one owner'
                USING ERRCODE = 'check_violation', TABLE = 'household_members',
                      CONSTRAINT = 'household_members_last_owner';
        END IF;
        RETURN NULL;
    END
    $$;
CREATE TRIGGER household_members_last_owner
    AFTER UPDATE OF role OR DELETE ON household_members
    FOR EACH ROW WHEN (OLD.role = 'owner')
    EXECUTE FUNCTION app.keep_an_owner();

-- Invitation codes are stored only as their SHA-256 (hex). A code names its household,
-- so every key here leads with household_id.
CREATE TABLE invitations (
    household_id uuid NOT NULL DEFAULT app.current_household_id(),
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    code_hash text NOT NULL,
    role text NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_by text,
    used_at timestamptz,
    CONSTRAINT invitations_pkey PRIMARY KEY (household_id, id),
    -- Serves the redemption's lookup.
    CONSTRAINT invitations_code_hash_key UNIQUE (household_id, code_hash),
    CONSTRAINT invitations_household_fkey FOREIGN KEY (household_id)
        REFERENCES households (id) ON DELETE CASCADE,
    CONSTRAINT invitations_code_hash_sha256 CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT invitations_role_valid CHECK (role IN ('owner', 'member', 'viewer')),
    CONSTRAINT invitations_expiry_after_creation CHECK (expires_at > created_at),
    CONSTRAINT invitations_used_together CHECK ((used_by IS NULL) = (used_at IS NULL))
);
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY household_isolation ON invitations AS RESTRICTIVE FOR ALL
    USING (household_id = (SELECT app.current_household_id())
           OR ((SELECT app.current_household_id()) IS NULL
               AND household_id = (SELECT app.redeeming_household())
               AND code_hash = (SELECT app.redeeming_code_hash())));
CREATE POLICY invitations_read_by_owners ON invitations FOR SELECT
    USING (household_id = (SELECT app.current_household_id())
           AND (SELECT app.current_member_role()) = 'owner');
CREATE POLICY invitations_created_by_owners ON invitations FOR INSERT
    WITH CHECK (household_id = (SELECT app.current_household_id())
                AND (SELECT app.current_member_role()) = 'owner'
                AND created_by = (SELECT app.current_user_sub())
                AND used_by IS NULL);
CREATE POLICY invitation_being_redeemed ON invitations FOR SELECT
    USING ((SELECT app.current_household_id()) IS NULL
           AND household_id = (SELECT app.redeeming_household())
           AND code_hash = (SELECT app.redeeming_code_hash()));
-- Single use: only an unused, unexpired invitation can be marked used, by the redeemer.
CREATE POLICY invitation_redeemed ON invitations FOR UPDATE
    USING ((SELECT app.current_household_id()) IS NULL
           AND household_id = (SELECT app.redeeming_household())
           AND code_hash = (SELECT app.redeeming_code_hash())
           AND used_by IS NULL AND expires_at > now())
    WITH CHECK (used_by = (SELECT app.current_user_sub()));
GRANT SELECT, INSERT ON invitations TO household_app;
GRANT UPDATE (used_by, used_at) ON invitations TO household_app;

-- One row per redeemed invitation (so a denied person asks again only with a new code),
-- at most one pending per person and household.
CREATE TABLE join_requests (
    household_id uuid NOT NULL DEFAULT app.current_household_id(),
    invitation_id uuid NOT NULL,
    requester_sub text NOT NULL,
    role text NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    requested_at timestamptz NOT NULL DEFAULT now(),
    decided_by text,
    decided_at timestamptz,
    CONSTRAINT join_requests_pkey PRIMARY KEY (household_id, invitation_id),
    CONSTRAINT join_requests_invitation_fkey FOREIGN KEY (household_id, invitation_id)
        REFERENCES invitations (household_id, id) ON DELETE CASCADE,
    CONSTRAINT join_requests_requester_sub_length
        CHECK (char_length(requester_sub) BETWEEN 1 AND 255),
    CONSTRAINT join_requests_role_valid CHECK (role IN ('owner', 'member', 'viewer')),
    CONSTRAINT join_requests_status_valid CHECK (status IN ('pending', 'approved', 'denied')),
    CONSTRAINT join_requests_decided_together
        CHECK ((status = 'pending') = (decided_by IS NULL)
               AND (decided_by IS NULL) = (decided_at IS NULL))
);
-- Serves the owner's list of pending requests and approve/deny by subject.
CREATE UNIQUE INDEX join_requests_one_pending_per_requester
    ON join_requests (household_id, requester_sub) WHERE status = 'pending';
ALTER TABLE join_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE join_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY household_isolation ON join_requests AS RESTRICTIVE FOR ALL
    USING (household_id = (SELECT app.current_household_id())
           OR ((SELECT app.current_household_id()) IS NULL
               AND household_id = (SELECT app.redeeming_household())
               AND requester_sub = (SELECT app.current_user_sub())));
CREATE POLICY join_requests_read_by_owners ON join_requests FOR SELECT
    USING (household_id = (SELECT app.current_household_id())
           AND (SELECT app.current_member_role()) = 'owner');
CREATE POLICY join_requests_decided_by_owners ON join_requests FOR UPDATE
    USING (household_id = (SELECT app.current_household_id())
           AND (SELECT app.current_member_role()) = 'owner' AND status = 'pending')
    WITH CHECK (household_id = (SELECT app.current_household_id())
                AND (SELECT app.current_member_role()) = 'owner'
                AND decided_by = (SELECT app.current_user_sub()));
CREATE POLICY join_requests_own ON join_requests FOR SELECT
    USING ((SELECT app.current_household_id()) IS NULL
           AND household_id = (SELECT app.redeeming_household())
           AND requester_sub = (SELECT app.current_user_sub()));
-- A request needs the invitation this transaction redeemed for the requester, with its
-- role, and a requester who is not already a member.
CREATE POLICY join_requests_made_by_redeemers ON join_requests FOR INSERT
    WITH CHECK ((SELECT app.current_household_id()) IS NULL
                AND household_id = (SELECT app.redeeming_household())
                AND requester_sub = (SELECT app.current_user_sub())
                AND status = 'pending'
                AND EXISTS (SELECT 1 FROM invitations i
                            WHERE i.household_id = join_requests.household_id
                              AND i.id = join_requests.invitation_id
                              AND i.role = join_requests.role
                              AND i.used_by = join_requests.requester_sub)
                AND NOT EXISTS (SELECT 1 FROM household_members m
                                WHERE m.household_id = join_requests.household_id
                                  AND m.user_sub = join_requests.requester_sub));
GRANT SELECT, INSERT ON join_requests TO household_app;
GRANT UPDATE (status, decided_by, decided_at) ON join_requests TO household_app;

-- Append-only: the runtime role inserts and reads, and holds no UPDATE or DELETE.
CREATE TABLE audit_events (
    household_id uuid NOT NULL DEFAULT app.current_household_id(),
    id bigint GENERATED ALWAYS AS IDENTITY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor text NOT NULL,
    action text NOT NULL,
    target text NOT NULL DEFAULT '',
    request_id text,
    -- Serves the owner's pages, newest first.
    CONSTRAINT audit_events_pkey PRIMARY KEY (household_id, id),
    CONSTRAINT audit_events_household_fkey FOREIGN KEY (household_id)
        REFERENCES households (id) ON DELETE CASCADE,
    CONSTRAINT audit_events_actor_length CHECK (char_length(actor) BETWEEN 1 AND 255),
    CONSTRAINT audit_events_target_length CHECK (char_length(target) <= 300),
    CONSTRAINT audit_events_request_id_length CHECK (char_length(request_id) <= 64),
    CONSTRAINT audit_events_action_valid CHECK (action IN (
        'household_created', 'household_suspended', 'household_reactivated',
        'invitation_created', 'join_requested', 'join_request_approved', 'join_request_denied',
        'member_role_changed', 'member_removed', 'member_left',
        'vehicle_created', 'vehicle_updated', 'vehicle_deleted', 'fuel_log_created'))
);
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY household_isolation ON audit_events AS RESTRICTIVE FOR ALL
    USING (household_id = (SELECT app.current_household_id())
           OR ((SELECT app.current_household_id()) IS NULL
               AND household_id = (SELECT app.redeeming_household())));
CREATE POLICY audit_events_read_by_owners ON audit_events FOR SELECT
    USING (household_id = (SELECT app.current_household_id())
           AND (SELECT app.current_member_role()) = 'owner');
-- Written as the subject of the request: by a member of the current household, or by a
-- redeemer whose join request is pending.
CREATE POLICY audit_events_written_by_actors ON audit_events FOR INSERT TO household_app
    WITH CHECK (actor = (SELECT app.current_user_sub())
                AND ((household_id = (SELECT app.current_household_id())
                      AND (SELECT app.current_member_role()) IS NOT NULL)
                     OR ((SELECT app.current_household_id()) IS NULL
                         AND household_id = (SELECT app.redeeming_household())
                         AND EXISTS (SELECT 1 FROM join_requests r
                                     WHERE r.household_id = audit_events.household_id
                                       AND r.requester_sub = audit_events.actor
                                       AND r.status = 'pending'))));
-- `server household suspend|reactivate` records itself, on the owner connection: the
-- table's owner (or a role that may act as it), whoever that is now.
CREATE POLICY audit_events_written_by_operator ON audit_events FOR INSERT
    WITH CHECK (household_id = (SELECT app.current_household_id())
                AND pg_has_role((SELECT c.relowner FROM pg_class c
                                 WHERE c.oid = 'public.audit_events'::regclass), 'MEMBER'));
GRANT SELECT, INSERT ON audit_events TO household_app;
