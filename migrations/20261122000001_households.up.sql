-- Households, their members, and the household garage, isolated by forced row-level
-- security. Run as the schema owner (MIGRATION_DATABASE_URL). The runtime role
-- `household_app` must exist first: see server/sql/bootstrap.sql.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'household_app') THEN
        RAISE EXCEPTION 'role household_app does not exist'
            USING HINT = 'run server/sql/bootstrap.sql as a role with CREATEROLE first';
    END IF;
END
$$;

-- No one but the owner creates objects in the schemas the application uses.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO household_app;

-- The request context. The server sets these with set_config(name, value, true): they
-- are transaction-local, so they vanish at COMMIT/ROLLBACK and a pooled connection never
-- carries one request's household into the next. After a transaction has set one, the
-- connection reads it back as '' (not NULL), and a value that is not a UUID must not
-- become a cast error (a 500): both read as NULL, and NULL matches no row.
CREATE FUNCTION app.current_household_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT CASE
            WHEN s ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
            THEN s::uuid
        END
        FROM (SELECT current_setting('app.current_household_id', true) AS s) AS setting
    $$;

-- The household role of the request (owner/member/viewer), set from the verified
-- internal token. Write policies check it, so a role bug in the API alone opens nothing.
CREATE FUNCTION app.current_household_role() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.current_household_role', true), '') $$;

-- The Auth0 subject of the request, set only while reading the caller's own memberships
-- (the token exchange and /api/me/households), before any household context exists.
CREATE FUNCTION app.current_user_sub() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.current_user_sub', true), '') $$;

-- Applies the standard tenant policies to a table with a `household_id` column, so a new
-- tenant table takes one line: SELECT app.enable_household_rls('my_table');
--   * FORCE: the table owner is bound too (only superusers and BYPASSRLS roles are not,
--     and the server refuses to run as either).
--   * household_access (permissive) admits the current household's rows;
--   * household_isolation (restrictive) is ANDed with every permissive policy, so a
--     permissive policy added later cannot widen access beyond the current household;
--   * household_writers_* (restrictive) admit writes only for owners and members.
-- `(SELECT app.current_household_id())` is an init-plan: evaluated once per statement,
-- not once per row, and it lets the planner use indexes leading with household_id.
CREATE FUNCTION app.enable_household_rls(tbl regclass) RETURNS void
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

CREATE TABLE households (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL,
    status text NOT NULL DEFAULT 'active',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT households_pkey PRIMARY KEY (id),
    CONSTRAINT households_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT households_status_valid CHECK (status IN ('active', 'suspended'))
);

CREATE TABLE household_members (
    household_id uuid NOT NULL DEFAULT app.current_household_id(),
    user_sub text NOT NULL,
    role text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Serves "members of the current household".
    CONSTRAINT household_members_pkey PRIMARY KEY (household_id, user_sub),
    CONSTRAINT household_members_household_fkey FOREIGN KEY (household_id)
        REFERENCES households (id) ON DELETE CASCADE,
    CONSTRAINT household_members_user_sub_length CHECK (char_length(user_sub) BETWEEN 1 AND 255),
    CONSTRAINT household_members_role_valid CHECK (role IN ('owner', 'member', 'viewer'))
);
-- Serves the exchange's membership check and /api/me/households (lookup by subject).
CREATE INDEX household_members_user_sub_idx ON household_members (user_sub, household_id);

-- Membership is read before any household is chosen: the exchange must learn whether the
-- caller belongs to the household it asks for, and /api/me/households lists them all.
-- Rather than a SECURITY DEFINER function (which runs with the owner's rights and would
-- need its own RLS exemption), the caller's verified Auth0 subject is itself a context:
-- the server sets app.current_user_sub in a transaction of its own, and these policies
-- admit exactly that subject's membership rows and households. Nothing else is visible in
-- that transaction, and no tenant-data table admits rows by subject.
-- The runtime role only reads these two tables; memberships are managed by the owner.
ALTER TABLE household_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_members FORCE ROW LEVEL SECURITY;
CREATE POLICY members_of_current_household ON household_members FOR SELECT
    USING (household_id = (SELECT app.current_household_id()));
CREATE POLICY own_memberships ON household_members FOR SELECT
    USING (user_sub = (SELECT app.current_user_sub()));

ALTER TABLE households ENABLE ROW LEVEL SECURITY;
ALTER TABLE households FORCE ROW LEVEL SECURITY;
CREATE POLICY current_household ON households FOR SELECT
    USING (id = (SELECT app.current_household_id()));
CREATE POLICY own_households ON households FOR SELECT
    USING (id IN (SELECT m.household_id FROM household_members m
                  WHERE m.user_sub = (SELECT app.current_user_sub())));

CREATE TABLE vehicles (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    household_id uuid NOT NULL DEFAULT app.current_household_id(),
    name text NOT NULL,
    make text NOT NULL DEFAULT '',
    model text NOT NULL DEFAULT '',
    year integer,
    fuel_unit text NOT NULL DEFAULT 'litres',
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Serves lookups of one vehicle (RLS adds household_id = …, which leads the key).
    CONSTRAINT vehicles_pkey PRIMARY KEY (household_id, id),
    CONSTRAINT vehicles_id_key UNIQUE (id),
    -- Serves the vehicle list, ordered by name, and keeps names unique per household.
    CONSTRAINT vehicles_name_unique_per_household UNIQUE (household_id, name),
    CONSTRAINT vehicles_household_fkey FOREIGN KEY (household_id)
        REFERENCES households (id) ON DELETE CASCADE,
    CONSTRAINT vehicles_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    CONSTRAINT vehicles_make_length CHECK (char_length(make) <= 100),
    CONSTRAINT vehicles_model_length CHECK (char_length(model) <= 100),
    CONSTRAINT vehicles_year_range CHECK (year BETWEEN 1886 AND 2100),
    CONSTRAINT vehicles_fuel_unit_valid CHECK (fuel_unit IN ('litres', 'us_gallons'))
);
SELECT app.enable_household_rls('vehicles');

CREATE TABLE fuel_logs (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    household_id uuid NOT NULL DEFAULT app.current_household_id(),
    vehicle_id uuid NOT NULL,
    filled_at date NOT NULL,
    odometer_km double precision NOT NULL,
    volume double precision NOT NULL,
    cost double precision NOT NULL,
    note text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fuel_logs_pkey PRIMARY KEY (household_id, id),
    CONSTRAINT fuel_logs_id_key UNIQUE (id),
    -- Composite: a fuel log can only point at a vehicle of its own household.
    CONSTRAINT fuel_logs_vehicle_fkey FOREIGN KEY (household_id, vehicle_id)
        REFERENCES vehicles (household_id, id) ON DELETE CASCADE,
    CONSTRAINT fuel_logs_odometer_range CHECK (odometer_km >= 0 AND odometer_km <= 10000000),
    CONSTRAINT fuel_logs_volume_positive CHECK (volume > 0 AND volume <= 2000),
    CONSTRAINT fuel_logs_cost_positive CHECK (cost > 0 AND cost <= 100000),
    CONSTRAINT fuel_logs_note_length CHECK (char_length(note) <= 500)
);
-- Serves a vehicle's log list and the summary (history in date order) and the
-- odometer-order check on insert.
CREATE INDEX fuel_logs_vehicle_history_idx
    ON fuel_logs (household_id, vehicle_id, filled_at, odometer_km);
SELECT app.enable_household_rls('fuel_logs');

-- Least privilege for the runtime role: row access only, no TRUNCATE, REFERENCES or
-- TRIGGER, nothing on the schema beyond USAGE.
GRANT SELECT ON households, household_members TO household_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON vehicles, fuel_logs TO household_app;
