-- Back to contexts set by hand. The accessors and app.enter_household as they were.
DROP FUNCTION app.enter_household(uuid, text, text);
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

CREATE OR REPLACE FUNCTION app.current_household_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT CASE
            WHEN current_setting('app.current_household_id', true)
                 ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
            THEN current_setting('app.current_household_id', true)::uuid
        END
    $$;
CREATE OR REPLACE FUNCTION app.current_user_sub() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.current_user_sub', true), '') $$;
CREATE OR REPLACE FUNCTION app.redeeming_household() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT CASE
            WHEN current_setting('app.redeeming_household', true)
                 ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
            THEN current_setting('app.redeeming_household', true)::uuid
        END
    $$;
CREATE OR REPLACE FUNCTION app.redeeming_code_hash() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.redeeming_code_hash', true), '') $$;
CREATE OR REPLACE FUNCTION app.current_member_role() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT m.role
        FROM public.household_members m
        JOIN public.households h ON h.id = m.household_id
        WHERE m.household_id = app.current_household_id()
          AND m.user_sub = app.current_user_sub()
          AND h.status = 'active'
    $$;
CREATE OR REPLACE FUNCTION app.founding_household() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT EXISTS (SELECT 1 FROM public.households h
                       WHERE h.id = app.current_household_id()
                         AND h.xmin = pg_current_xact_id()::xid)
           AND NOT EXISTS (SELECT 1 FROM public.household_members m
                           WHERE m.household_id = app.current_household_id())
    $$;

DROP FUNCTION app.context_field(integer);
DROP FUNCTION app.enter_context(uuid, text, uuid, text, text);
DROP SEQUENCE app.context_seal;
DROP SCHEMA app_private CASCADE;
DROP FUNCTION app.context_seal_of(text);
