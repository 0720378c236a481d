-- Owners delete their household (`DELETE /api/households/{household_id}`): the one row in
-- `households` goes, and with it, by the foreign keys' ON DELETE CASCADE, every row of it
-- in every tenant table (members, vehicles and their fuel logs and totals, invitations and
-- join requests, the audit record). Its members are refused on their next request, on every
-- replica, as for a removed member: app.enter_household finds no membership.
-- What stays is a tombstone an operator lists (`server household list --deleted`): the id,
-- when, by which subject, and nothing else of the household. The owner's table, written
-- by a SECURITY DEFINER trigger; the runtime role can neither read nor write it.
-- Run as the schema owner.

-- `household`, not `household_id`: not a tenant table (the household is gone).
CREATE TABLE app_private.household_tombstones (
    household uuid PRIMARY KEY,
    deleted_at timestamptz NOT NULL DEFAULT now(),
    deleted_by text NOT NULL CHECK (char_length(deleted_by) BETWEEN 1 AND 255)
);
REVOKE ALL ON app_private.household_tombstones FROM PUBLIC;

CREATE FUNCTION app_private.bury_household() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        INSERT INTO app_private.household_tombstones (household, deleted_by)
        VALUES (OLD.id, coalesce(app.current_user_sub(), 'operator'));
        RETURN OLD;
    END
    $$;
REVOKE EXECUTE ON FUNCTION app_private.bury_household() FROM PUBLIC;
CREATE TRIGGER households_buried BEFORE DELETE ON households
    FOR EACH ROW EXECUTE FUNCTION app_private.bury_household();

CREATE POLICY households_deleted_by_owners ON households FOR DELETE
    USING (id = (SELECT app.current_household_id())
           AND (SELECT app.current_member_role()) = 'owner');
GRANT DELETE ON households TO household_app;
