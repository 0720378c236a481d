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

-- Bounds on the runtime role's sessions, set on the role itself so that they hold whatever
-- connects (the server directly, or through PgBouncer, which refuses or drops startup
-- options): no statement runs longer than 5 s, and a transaction left idle (a stuck or
-- killed server task) gives its connection and locks back after 5 s. The server reads
-- its whole request before it begins a transaction, so neither is reached in normal use.
-- Change them with ALTER ROLE household_app SET …; new sessions pick them up. The advisory
-- lock serialises concurrent bootstraps (tests run one per database).
DO $$
BEGIN
    PERFORM pg_advisory_xact_lock(20261213);
    IF NOT EXISTS (
        SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
        WHERE r.rolname = 'household_app' AND s.setdatabase = 0
          AND s.setconfig @> ARRAY['statement_timeout=5s', 'idle_in_transaction_session_timeout=5s']
    ) THEN
        ALTER ROLE household_app SET statement_timeout = '5s';
        ALTER ROLE household_app SET idle_in_transaction_session_timeout = '5s';
    END IF;
END
$$;
