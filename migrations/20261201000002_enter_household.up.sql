-- The database, not the internal token, decides who is in a household and with which
-- role, on every request. Run as the schema owner (MIGRATION_DATABASE_URL).
--
-- Before this, a data request set app.current_household_id and app.current_household_role
-- from the token's claims: a member removed, demoted or suspended kept the old access
-- until the token expired. Now the server enters a household with app.enter_household
-- (one statement, in the request's transaction), which reads the membership as it is at
-- that moment, and the write policies read the role from household_members themselves.

-- Every request now reads the membership under row-level security, so the policies'
-- helpers must be cheap. The same function as before, without the FROM clause that kept
-- PostgreSQL from inlining it: each call was a separate SQL-function execution.
CREATE OR REPLACE FUNCTION app.current_household_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT CASE
            WHEN current_setting('app.current_household_id', true)
                 ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
            THEN current_setting('app.current_household_id', true)::uuid
        END
    $$;

-- Same rows as before; a correlated probe of household_members' primary key instead of a
-- hashed list of all the subject's households, which a subject in many households paid
-- for on every entry.
DROP POLICY own_households ON households;
CREATE POLICY own_households ON households FOR SELECT
    USING (EXISTS (SELECT 1 FROM household_members m
                   WHERE m.household_id = households.id
                     AND m.user_sub = (SELECT app.current_user_sub())));

-- The role the database holds for the request's subject in the current household, while
-- that household is active; NULL otherwise. Read by the write policies (as an init-plan,
-- once per statement), so setting app.current_household_role by hand grants nothing.
-- Both tables are read under their own policies, within the current household.
CREATE FUNCTION app.current_member_role() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT m.role
        FROM public.household_members m
        JOIN public.households h ON h.id = m.household_id
        WHERE m.household_id = app.current_household_id()
          AND m.user_sub = app.current_user_sub()
          AND h.status = 'active'
    $$;

-- Enters `household` as `sub` for the rest of the transaction: when `sub` is a member and
-- the household is active, sets app.current_household_id, app.current_household_role (the
-- role from household_members) and app.current_user_sub with set_config(…, true).
-- Returns the member's role and the household's status (both NULL for a non-member, or an
-- unknown household: indistinguishable on purpose), so the server can tell "not a member"
-- from "suspended" from "role changed since the token was issued".
-- When the caller is not admitted, the context is left exactly as it was found.
--
-- SECURITY INVOKER on purpose: the membership is read through the own_memberships and
-- own_households policies (the subject is set first, so exactly that subject's rows are
-- visible). A SECURITY DEFINER function would run as the table owner, whom FORCE ROW LEVEL
-- SECURITY binds to the same policies: it would gain nothing and add an escalation path.
-- search_path is pinned and every name qualified all the same, and only the runtime role
-- may call it.
CREATE FUNCTION app.enter_household(household uuid, sub text,
                                    OUT member_role text, OUT household_status text)
    LANGUAGE plpgsql VOLATILE SECURITY INVOKER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        previous_sub constant text := pg_catalog.current_setting('app.current_user_sub', true);
    BEGIN
        PERFORM pg_catalog.set_config('app.current_user_sub', sub, true);
        SELECT m.role, h.status INTO member_role, household_status
        FROM public.household_members m
        JOIN public.households h ON h.id = m.household_id
        WHERE m.household_id = household AND m.user_sub = sub;
        IF household_status = 'active' THEN
            PERFORM pg_catalog.set_config('app.current_household_id', household::text, true),
                    pg_catalog.set_config('app.current_household_role', member_role, true);
        ELSE
            -- '' reads as NULL through app.current_user_sub(), like a setting never made.
            PERFORM pg_catalog.set_config('app.current_user_sub',
                                          COALESCE(previous_sub, ''), true);
        END IF;
    END
    $$;
REVOKE EXECUTE ON FUNCTION app.enter_household(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.enter_household(uuid, text) TO household_app;

-- Inside a household, the subject is now set too (for the write policies): own_memberships
-- and own_households would then admit the caller's other households. These restrictive
-- policies keep the old meaning: within a household context only that household's rows;
-- outside one, only the subject's own (as the exchange and /api/me/households read them).
CREATE POLICY household_isolation ON household_members AS RESTRICTIVE FOR ALL
    USING (household_id = (SELECT app.current_household_id())
           OR ((SELECT app.current_household_id()) IS NULL
               AND user_sub = (SELECT app.current_user_sub())));
CREATE POLICY household_isolation ON households AS RESTRICTIVE FOR ALL
    USING (id = (SELECT app.current_household_id())
           OR (SELECT app.current_household_id()) IS NULL);

-- `server household suspend|reactivate`: the owner connection changes the status of the
-- household in its context. Only the owner holds UPDATE on households (the runtime role
-- has SELECT only), so this admits no one else; it is what lets an owner that is not a
-- superuser do it under FORCE ROW LEVEL SECURITY.
CREATE POLICY household_operator_update ON households FOR UPDATE
    USING (id = (SELECT app.current_household_id()))
    WITH CHECK (id = (SELECT app.current_household_id()));

-- The write policies of the tenant tables read the role from the database.
CREATE OR REPLACE FUNCTION app.enable_household_rls(tbl regclass) RETURNS void
    LANGUAGE plpgsql
    AS $$
    DECLARE
        same_household constant text := 'household_id = (SELECT app.current_household_id())';
        writer constant text := '(SELECT app.current_member_role()) IN (''owner'', ''member'')';
    BEGIN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
        EXECUTE format('CREATE POLICY household_access ON %s AS PERMISSIVE FOR ALL'
                       ' USING (%s) WITH CHECK (%s)', tbl, same_household, same_household);
        EXECUTE format('CREATE POLICY household_isolation ON %s AS RESTRICTIVE FOR ALL'
                       ' USING (%s) WITH CHECK (%s)', tbl, same_household, same_household);
        EXECUTE format('CREATE POLICY household_writers_insert ON %s AS RESTRICTIVE FOR INSERT'
                       ' WITH CHECK (%s)', tbl, writer);
        EXECUTE format('CREATE POLICY household_writers_update ON %s AS RESTRICTIVE FOR UPDATE'
                       ' USING (%s) WITH CHECK (%s)', tbl, writer, writer);
        EXECUTE format('CREATE POLICY household_writers_delete ON %s AS RESTRICTIVE FOR DELETE'
                       ' USING (%s)', tbl, writer);
    END
    $$;
REVOKE EXECUTE ON FUNCTION app.enable_household_rls(regclass) FROM PUBLIC;

ALTER POLICY household_writers_insert ON vehicles
    WITH CHECK ((SELECT app.current_member_role()) IN ('owner', 'member'));
ALTER POLICY household_writers_update ON vehicles
    USING ((SELECT app.current_member_role()) IN ('owner', 'member'))
    WITH CHECK ((SELECT app.current_member_role()) IN ('owner', 'member'));
ALTER POLICY household_writers_delete ON vehicles
    USING ((SELECT app.current_member_role()) IN ('owner', 'member'));
ALTER POLICY household_writers_insert ON fuel_logs
    WITH CHECK ((SELECT app.current_member_role()) IN ('owner', 'member'));
ALTER POLICY household_writers_update ON fuel_logs
    USING ((SELECT app.current_member_role()) IN ('owner', 'member'))
    WITH CHECK ((SELECT app.current_member_role()) IN ('owner', 'member'));
ALTER POLICY household_writers_delete ON fuel_logs
    USING ((SELECT app.current_member_role()) IN ('owner', 'member'));
