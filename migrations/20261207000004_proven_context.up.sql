-- A household context only the server can set. Run as the schema owner.
--
-- Before this, the policies trusted app.current_household_id, app.current_user_sub,
-- app.redeeming_household and app.redeeming_code_hash as they found them: whoever held the
-- runtime role (a leaked DATABASE_URL, an SQL injection) could set them by hand and read
-- or write any household. Now a context counts only when the server proved it:
--
--   * The server holds a secret (DATABASE_CONTEXT_KEY_FILE). `server migrate` installs it
--     here, in app_private.context_keys, which only the owner can read.
--   * For each transaction the server computes an HMAC-SHA-256 over the context and an
--     expiry, and passes it to app.enter_context (or app.enter_household), a SECURITY
--     DEFINER function that checks it with the installed keys (any of them, so a key
--     rotates without downtime: install the new one, roll the replicas, retire the old).
--   * When it holds, the function sets the four settings and seals them: it stores a
--     digest of their values and of the transaction's start time as this session's
--     currval of app.context_seal. The runtime role may read that sequence (currval) but
--     not set it (setval and nextval need UPDATE or USAGE, which it does not hold).
--   * Every accessor the policies read (app.current_household_id() and the three others)
--     answers only while the settings still hash to the seal: a setting changed by hand
--     after a proven entry, a hand-made context, or a seal left from an earlier
--     transaction of the same session (the start time differs) read as no context at all.
--
-- Why a seal and not the HMAC on every read: the policies read the accessors as init-plans,
-- several per statement (a page of vehicles reads about ten). Checking the HMAC in each,
-- with a key looked up in a table, made a read 44 % slower in pgbench; the seal costs one
-- SHA-256 of a short string and a sequence lookup in each, and the HMAC once per
-- transaction. docs/architecture.md has the measurement.

CREATE SCHEMA app_private;
REVOKE ALL ON SCHEMA app_private FROM PUBLIC;

-- The HMAC keys, by id (the first 16 hex digits of the key's SHA-256, which is what the
-- server sends). The pads of RFC 2104 are stored rather than the key: HMAC-SHA-256 is then
-- two calls of the built-in sha256(), with no extension to install.
CREATE TABLE app_private.context_keys (
    id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{16}$'),
    inner_pad bytea NOT NULL CHECK (octet_length(inner_pad) = 64),
    outer_pad bytea NOT NULL CHECK (octet_length(outer_pad) = 64),
    installed_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON app_private.context_keys FROM PUBLIC;

-- Installs `secret` (32 bytes or more) and returns its id; installing it again changes
-- nothing. Owner only.
CREATE FUNCTION app_private.install_context_key(secret bytea) RETURNS text
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        key bytea := secret;
        inner_pad bytea := '\x'::bytea;
        outer_pad bytea := '\x'::bytea;
        key_id constant text := left(encode(sha256(secret), 'hex'), 16);
    BEGIN
        IF octet_length(secret) < 32 THEN
            RAISE EXCEPTION 'a context key has at least 32 bytes, this one has %',
                octet_length(secret);
        END IF;
        IF octet_length(key) > 64 THEN
            key := sha256(key);
        END IF;
        key := key || decode(repeat('00', 64 - octet_length(key)), 'hex');
        FOR i IN 0..63 LOOP
            inner_pad := inner_pad || decode(lpad(to_hex(get_byte(key, i) # 54), 2, '0'), 'hex');
            outer_pad := outer_pad || decode(lpad(to_hex(get_byte(key, i) # 92), 2, '0'), 'hex');
        END LOOP;
        INSERT INTO app_private.context_keys (id, inner_pad, outer_pad)
        VALUES (key_id, inner_pad, outer_pad)
        ON CONFLICT (id) DO NOTHING;
        RETURN key_id;
    END
    $$;
REVOKE EXECUTE ON FUNCTION app_private.install_context_key(bytea) FROM PUBLIC;

-- STABLE, as convert_to() is: an IMMUTABLE body with a STABLE call is not inlined, and
-- would be planned again on each call (40 µs a call, measured).
CREATE FUNCTION app_private.message_field(value text) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT CASE WHEN value IS NULL THEN '\xffffffff'::bytea
                    ELSE pg_catalog.int4send(pg_catalog.octet_length(value))
                         || pg_catalog.convert_to(value, 'UTF8') END
    $$;

-- The message the HMAC covers: a version tag, then each field as its length in bytes
-- (four bytes, big-endian; -1 for none) and its UTF-8 bytes, then the expiry (eight bytes,
-- seconds since 1970). server/src/db/context.rs builds the same bytes.
CREATE FUNCTION app_private.context_message(household uuid, sub text, redeeming uuid,
                                            code_hash text, expires_at bigint) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT '\x63747831'::bytea
            || app_private.message_field(household::text) || app_private.message_field(sub)
            || app_private.message_field(redeeming::text) || app_private.message_field(code_hash)
            || pg_catalog.int8send(expires_at)
    $$;
-- The seal: this session's currval, which only app.enter_context sets.
CREATE UNLOGGED SEQUENCE app.context_seal AS bigint
    MINVALUE -9223372036854775808 MAXVALUE 9223372036854775807 NO CYCLE;
REVOKE ALL ON SEQUENCE app.context_seal FROM PUBLIC;
GRANT SELECT ON SEQUENCE app.context_seal TO household_app;

-- The seal of a context string: the first eight bytes of the SHA-256 of the transaction's
-- start time and the string.
CREATE FUNCTION app.context_seal_of(context text) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT pg_catalog.substr(pg_catalog.sha256(pg_catalog.timestamptz_send(pg_catalog.now())
                                                   || pg_catalog.textsend(context)), 1, 8)
    $$;

-- The context an entry proves, one line a field (household, subject, redeeming household,
-- code hash; empty for none), when `proof`, '<key id>.<expiry>.<MAC>', holds for it: the
-- key is installed, the MAC (base64) is the HMAC-SHA-256 of app_private.context_message
-- with that key, and the expiry (seconds since 1970) is ahead, by ten minutes at most. No
-- row otherwise, nor for a line break in a value (which would make two contexts one
-- string). The MACs are compared as digests, so the time the comparison takes says
-- nothing of the expected one. A set-returning SQL function, so PostgreSQL inlines it
-- into the entry functions' cached plans: a scalar one would be planned again on every
-- call. Owner only.
CREATE FUNCTION app_private.proven_context(household uuid, sub text, redeeming uuid,
                                           code_hash text, proof text)
    RETURNS SETOF text
    LANGUAGE sql STABLE
    AS $$
        SELECT pg_catalog.concat_ws(E'\n', COALESCE(household::text, ''), COALESCE(sub, ''),
                                    COALESCE(redeeming::text, ''), COALESCE(code_hash, ''))
        FROM app_private.context_keys k,
             LATERAL (SELECT CASE WHEN pg_catalog.split_part(proof, '.', 2) ~ '^[0-9]{1,18}$'
                                  THEN pg_catalog.split_part(proof, '.', 2)::bigint
                             END AS expires_at) e
        WHERE k.id = pg_catalog.split_part(proof, '.', 1)
          AND e.expires_at > extract(epoch FROM pg_catalog.now())
          AND e.expires_at <= extract(epoch FROM pg_catalog.now()) + 600
          AND pg_catalog.sha256(pg_catalog.sha256(k.outer_pad || pg_catalog.sha256(k.inner_pad
                  || app_private.context_message(household, sub, redeeming, code_hash,
                                                 e.expires_at))))
              = pg_catalog.sha256(pg_catalog.decode(pg_catalog.split_part(proof, '.', 3), 'base64'))
          AND pg_catalog.strpos(pg_catalog.concat(sub, code_hash), E'\n') = 0
    $$;
REVOKE EXECUTE ON FUNCTION app_private.proven_context(uuid, text, uuid, text, text) FROM PUBLIC;

-- Sets and seals `context` for the rest of the transaction: the setting app.context, and
-- its seal as this session's currval of app.context_seal.
CREATE FUNCTION app_private.seal_context(context text) RETURNS void
    LANGUAGE sql VOLATILE
    AS $$
        SELECT pg_catalog.set_config('app.context', context, true),
               pg_catalog.setval('app.context_seal'::regclass,
                                 ('x' || pg_catalog.encode(app.context_seal_of(context), 'hex'))
                                     ::bit(64)::bigint)
    $$;
REVOKE EXECUTE ON FUNCTION app_private.seal_context(text) FROM PUBLIC;

-- Proves and sets a context for the rest of the transaction: the current household (or
-- none), the subject, and the household and code hash of a redemption. `proof` is
-- as app_private.proven_context describes it. A proof that does not hold raises 28000
-- (invalid_authorization_specification) and sets nothing.
CREATE FUNCTION app.enter_context(household uuid, sub text, redeeming uuid, code_hash text,
                                  proof text) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        context text;
    BEGIN
        SELECT c INTO context
        FROM app_private.proven_context(household, sub, redeeming, code_hash, proof) c;
        IF context IS NULL THEN
            RAISE EXCEPTION 'the household context is not proven'
                USING ERRCODE = 'invalid_authorization_specification';
        END IF;
        PERFORM app_private.seal_context(context);
    END
    $$;
REVOKE EXECUTE ON FUNCTION app.enter_context(uuid, text, uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.enter_context(uuid, text, uuid, text, text) TO household_app;

-- For the owner's own connections (`server household suspend`, the tests), which may
-- read the keys anyway: enters a context with a proof made here, with the newest key, good
-- for a minute. Owner only.
CREATE FUNCTION app_private.enter_as_owner(household uuid, sub text DEFAULT NULL,
                                           redeeming uuid DEFAULT NULL,
                                           code_hash text DEFAULT NULL) RETURNS void
    LANGUAGE sql VOLATILE
    AS $$
        SELECT app.enter_context(household, sub, redeeming, code_hash,
                   k.id || '.' || e.expires_at || '.' || pg_catalog.encode(pg_catalog.sha256(
                       k.outer_pad || pg_catalog.sha256(k.inner_pad
                       || app_private.context_message(household, sub, redeeming, code_hash,
                                                      e.expires_at))), 'base64'))
        FROM (SELECT extract(epoch FROM pg_catalog.now())::bigint + 60 AS expires_at) e
        LEFT JOIN LATERAL (SELECT * FROM app_private.context_keys
                           ORDER BY installed_at DESC, id LIMIT 1) k ON true
    $$;
REVOKE EXECUTE ON FUNCTION app_private.enter_as_owner(uuid, text, uuid, text) FROM PUBLIC;

-- The accessors the policies read: a field of app.context while it still matches this
-- session's seal, NULL otherwise. A setting changed by hand after an entry, a context made
-- by hand, or a seal left by an earlier transaction (its start time differs) read as no
-- context. Someone who sets app.context by hand in a session never sealed gets currval's
-- error (55000): refused all the same. (The casts cannot fail: a sealed context holds what
-- app.enter_context wrote.)
--
-- VOLATILE, as currval() is, so PostgreSQL still inlines them: the policies read them as
-- init-plans, `(SELECT app.current_household_id())`, once per statement, and the same goes
-- for every other caller (see current_member_role below). Cost: docs/architecture.md.
CREATE FUNCTION app.context_field(n integer) RETURNS text
    LANGUAGE sql VOLATILE PARALLEL RESTRICTED
    AS $$
        SELECT CASE
            WHEN COALESCE(pg_catalog.current_setting('app.context', true), '') = '' THEN NULL
            WHEN pg_catalog.int8send(pg_catalog.currval('app.context_seal'::regclass))
                     = app.context_seal_of(pg_catalog.current_setting('app.context', true))
            THEN NULLIF(pg_catalog.split_part(
                     pg_catalog.current_setting('app.context', true), E'\n', n), '')
        END
    $$;
CREATE OR REPLACE FUNCTION app.current_household_id() RETURNS uuid
    LANGUAGE sql VOLATILE PARALLEL RESTRICTED
    AS $$ SELECT app.context_field(1)::uuid $$;
CREATE OR REPLACE FUNCTION app.current_user_sub() RETURNS text
    LANGUAGE sql VOLATILE PARALLEL RESTRICTED
    AS $$ SELECT app.context_field(2) $$;
CREATE OR REPLACE FUNCTION app.redeeming_household() RETURNS uuid
    LANGUAGE sql VOLATILE PARALLEL RESTRICTED
    AS $$ SELECT app.context_field(3)::uuid $$;
CREATE OR REPLACE FUNCTION app.redeeming_code_hash() RETURNS text
    LANGUAGE sql VOLATILE PARALLEL RESTRICTED
    AS $$ SELECT app.context_field(4) $$;

-- Their callers that are not policies read them once per statement too, so that a
-- household's rows are still found by index.
CREATE OR REPLACE FUNCTION app.current_member_role() RETURNS text
    LANGUAGE sql VOLATILE PARALLEL RESTRICTED
    AS $$
        SELECT m.role
        FROM public.household_members m
        JOIN public.households h ON h.id = m.household_id
        WHERE m.household_id = (SELECT app.current_household_id())
          AND m.user_sub = (SELECT app.current_user_sub())
          AND h.status = 'active'
    $$;
CREATE OR REPLACE FUNCTION app.founding_household() RETURNS boolean
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT EXISTS (SELECT 1 FROM public.households h
                       WHERE h.id = (SELECT app.current_household_id())
                         AND h.xmin = pg_current_xact_id()::xid)
           AND NOT EXISTS (SELECT 1 FROM public.household_members m
                           WHERE m.household_id = (SELECT app.current_household_id()))
    $$;

-- Entering a household takes a proof of (household, sub) now, and is one call: the proof
-- is checked, the context sealed and the membership read in that context (the policies
-- admit the household's members and the household). A caller not admitted leaves with no
-- context at all. SECURITY DEFINER now, to read the keys; the owner is bound by the same
-- policies (FORCE ROW LEVEL SECURITY), and only the runtime role may call it.
DROP FUNCTION app.enter_household(uuid, text);
CREATE FUNCTION app.enter_household(household uuid, sub text, proof text,
                                    OUT member_role text, OUT household_status text)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        context text;
    BEGIN
        SELECT c INTO context
        FROM app_private.proven_context(household, sub, NULL, NULL, proof) c;
        IF context IS NULL THEN
            RAISE EXCEPTION 'the household context is not proven'
                USING ERRCODE = 'invalid_authorization_specification';
        END IF;
        PERFORM app_private.seal_context(context);
        SELECT m.role, h.status INTO member_role, household_status
        FROM public.household_members m
        JOIN public.households h ON h.id = m.household_id
        WHERE m.household_id = household AND m.user_sub = sub;
        IF household_status = 'active' THEN
            PERFORM set_config('app.current_household_role', member_role, true);
        ELSE
            -- Breaks the seal: no context for the rest of the transaction.
            PERFORM set_config('app.context', '', true);
        END IF;
    END
    $$;
REVOKE EXECUTE ON FUNCTION app.enter_household(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.enter_household(uuid, text, text) TO household_app;
