-- One-time bootstrap, run by a role with CREATEROLE (e.g. the `postgres` superuser)
-- before `server migrate`. It creates the runtime role the server connects as:
--   psql "$ADMIN_URL" -f server/sql/bootstrap.sql
--   psql "$ADMIN_URL" -c "ALTER ROLE household_app PASSWORD '…'"   # unless the login uses peer/cert auth
-- The role is deliberately weak: not superuser, NOBYPASSRLS (so row-level security
-- applies to it), cannot create databases or roles, and owns nothing. Migrations grant
-- it row access to the tables it needs; `server serve` refuses to start if it gains more.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'household_app') THEN
        CREATE ROLE household_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
            NOREPLICATION NOINHERIT;
    END IF;
END
$$;
