-- Back to write policies that trust app.current_household_role.
ALTER POLICY household_writers_insert ON vehicles
    WITH CHECK ((SELECT app.current_household_role()) IN ('owner', 'member'));
ALTER POLICY household_writers_update ON vehicles
    USING ((SELECT app.current_household_role()) IN ('owner', 'member'))
    WITH CHECK ((SELECT app.current_household_role()) IN ('owner', 'member'));
ALTER POLICY household_writers_delete ON vehicles
    USING ((SELECT app.current_household_role()) IN ('owner', 'member'));
ALTER POLICY household_writers_insert ON fuel_logs
    WITH CHECK ((SELECT app.current_household_role()) IN ('owner', 'member'));
ALTER POLICY household_writers_update ON fuel_logs
    USING ((SELECT app.current_household_role()) IN ('owner', 'member'))
    WITH CHECK ((SELECT app.current_household_role()) IN ('owner', 'member'));
ALTER POLICY household_writers_delete ON fuel_logs
    USING ((SELECT app.current_household_role()) IN ('owner', 'member'));

CREATE OR REPLACE FUNCTION app.enable_household_rls(tbl regclass) RETURNS void
    LANGUAGE plpgsql
    AS $$
    DECLARE
        same_household constant text := 'household_id = (SELECT app.current_household_id())';
        writer constant text := '(SELECT app.current_household_role()) IN (''owner'', ''member'')';
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

DROP POLICY household_operator_update ON households;
DROP POLICY household_isolation ON households;
DROP POLICY household_isolation ON household_members;
DROP FUNCTION app.enter_household(uuid, text);
DROP FUNCTION app.current_member_role();

DROP POLICY own_households ON households;
CREATE POLICY own_households ON households FOR SELECT
    USING (id IN (SELECT m.household_id FROM household_members m
                  WHERE m.user_sub = (SELECT app.current_user_sub())));

CREATE OR REPLACE FUNCTION app.current_household_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT CASE
            WHEN s ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
            THEN s::uuid
        END
        FROM (SELECT current_setting('app.current_household_id', true) AS s) AS setting
    $$;
