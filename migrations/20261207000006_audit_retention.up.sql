-- A household's audit record keeps its newest events, not every event ever. Every write
-- appends an event, so a loop of PATCHes at the data limit added millions of rows a day,
-- without end. Now each household keeps at most `keep` events (app_private.audit_retention,
-- 100,000 unless an operator changes it: docs/operations.md, "The audit record's
-- retention"): once it holds a tenth more, the writing transaction deletes its oldest
-- events down to `keep`, so the pruning costs a write one deletion in amortised terms
-- and never runs a pass over the table. A count per household (app_private.audit_tally)
-- spares counting the events. Both tables are the owner's; the runtime role sees neither,
-- and still holds no UPDATE or DELETE on audit_events: the pruning runs as the owner, in
-- the trigger below. Run as the schema owner.

CREATE TABLE app_private.audit_retention (
    single boolean PRIMARY KEY DEFAULT true CHECK (single),
    keep bigint NOT NULL CHECK (keep >= 1)
);
INSERT INTO app_private.audit_retention (keep) VALUES (100000);
REVOKE ALL ON app_private.audit_retention FROM PUBLIC;

-- `household`, not `household_id`: not a tenant table, only the owner's bookkeeping.
CREATE TABLE app_private.audit_tally (
    household uuid PRIMARY KEY REFERENCES public.households (id) ON DELETE CASCADE,
    events bigint NOT NULL
);
REVOKE ALL ON app_private.audit_tally FROM PUBLIC;

-- The owner reads and deletes a household's events, within the household context the
-- session proved (household_isolation still applies); the runtime role is not the owner.
CREATE POLICY audit_events_seen_by_schema_owner ON audit_events FOR SELECT
    USING (pg_has_role((SELECT c.relowner FROM pg_class c
                        WHERE c.oid = 'public.audit_events'::regclass), 'MEMBER'));
CREATE POLICY audit_events_pruned_by_schema_owner ON audit_events FOR DELETE
    USING (pg_has_role((SELECT c.relowner FROM pg_class c
                        WHERE c.oid = 'public.audit_events'::regclass), 'MEMBER'));

CREATE FUNCTION app_private.retain_audit_events() RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        appended record;
        keep bigint;
        kept bigint;
        pruned bigint;
    BEGIN
        SELECT r.keep INTO keep FROM app_private.audit_retention r;
        FOR appended IN
            SELECT a.household_id, count(*) AS events FROM added a
            GROUP BY a.household_id ORDER BY a.household_id
        LOOP
            INSERT INTO app_private.audit_tally AS t (household, events)
            VALUES (appended.household_id, appended.events)
            ON CONFLICT (household) DO UPDATE SET events = t.events + excluded.events
            RETURNING t.events INTO kept;
            CONTINUE WHEN keep IS NULL OR kept <= keep + greatest(keep / 10, 1);
            DELETE FROM public.audit_events e
            USING (SELECT o.id FROM public.audit_events o
                   WHERE o.household_id = appended.household_id
                   ORDER BY o.id LIMIT kept - keep) oldest
            WHERE e.household_id = appended.household_id AND e.id = oldest.id;
            GET DIAGNOSTICS pruned = ROW_COUNT;
            UPDATE app_private.audit_tally t SET events = t.events - pruned
            WHERE t.household = appended.household_id;
        END LOOP;
        RETURN NULL;
    END
    $$;
REVOKE EXECUTE ON FUNCTION app_private.retain_audit_events() FROM PUBLIC;
CREATE TRIGGER audit_events_retained AFTER INSERT ON audit_events
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION app_private.retain_audit_events();

-- The events already there, counted with row-level security lifted for this migration's
-- transaction (no household context is set here).
ALTER TABLE audit_events NO FORCE ROW LEVEL SECURITY;
INSERT INTO app_private.audit_tally (household, events)
SELECT household_id, count(*) FROM audit_events GROUP BY household_id;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
