-- The summary's totals, kept on write. Until now `GET …/summary` ran window passes over
-- every fuel log of the household on each call, so its cost grew with the logs (50,000 of
-- them: a full pass a read), and a household reading its summary in a loop took the pool
-- from everyone else. Each vehicle now has one `vehicle_totals` row, kept in the
-- transaction of every write to its fuel logs; the summary reads it, plus the latest
-- fill-ups for the chart through fuel_logs_vehicle_history_idx, so a read costs the same
-- with 10 logs or 50,000.
--
-- Economy uses the full-tank method (see server/src/db/summary.rs): each pair of
-- consecutive fill-ups in (filled_at, odometer_km, id) order whose odometer rose adds that
-- distance, and the later fill-up's volume as fuel burned over it. A fill-up inserted
-- between `before` and `after` replaces the pair (before, after) with (before, new) and
-- (new, after); a deletion reverses it. A statement that adds or removes one fill-up of a
-- vehicle (every API write) applies that change in three index lookups; a statement that
-- touches several fill-ups of one vehicle (a bulk load, an update) recounts that vehicle.
-- The row lock on the vehicle's totals, taken first, serialises its writers, and the
-- lookups run after it, in snapshots that see every writer committed before.
-- Run as the schema owner.

CREATE TABLE vehicle_totals (
    household_id uuid NOT NULL DEFAULT app.current_household_id(),
    vehicle_id uuid NOT NULL,
    fill_ups bigint NOT NULL DEFAULT 0,
    volume double precision NOT NULL DEFAULT 0,
    cost double precision NOT NULL DEFAULT 0,
    distance_km double precision NOT NULL DEFAULT 0,
    -- Volume of the fill-ups that close a measured distance.
    burned double precision NOT NULL DEFAULT 0,
    CONSTRAINT vehicle_totals_pkey PRIMARY KEY (household_id, vehicle_id),
    CONSTRAINT vehicle_totals_vehicle_fkey FOREIGN KEY (household_id, vehicle_id)
        REFERENCES vehicles (household_id, id) ON DELETE CASCADE
);
SELECT app.enable_household_rls('vehicle_totals');
GRANT SELECT, INSERT, UPDATE ON vehicle_totals TO household_app;

-- Recounts one vehicle from its fuel logs.
CREATE FUNCTION app.recount_vehicle_totals(household uuid, vehicle uuid) RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    BEGIN ATOMIC
        UPDATE public.vehicle_totals t
        SET fill_ups = s.fill_ups, volume = s.volume, cost = s.cost,
            distance_km = s.distance_km, burned = s.burned
        FROM (SELECT count(*) AS fill_ups, coalesce(sum(f.volume), 0) AS volume,
                     coalesce(sum(f.cost), 0) AS cost,
                     coalesce(sum(f.distance) FILTER (WHERE f.distance > 0), 0) AS distance_km,
                     coalesce(sum(f.volume) FILTER (WHERE f.distance > 0), 0) AS burned
              FROM (SELECT l.volume, l.cost,
                           l.odometer_km - lag(l.odometer_km)
                               OVER (ORDER BY l.filled_at, l.odometer_km, l.id) AS distance
                    FROM public.fuel_logs l
                    WHERE l.household_id = recount_vehicle_totals.household
                      AND l.vehicle_id = recount_vehicle_totals.vehicle) f) s
        WHERE t.household_id = recount_vehicle_totals.household
          AND t.vehicle_id = recount_vehicle_totals.vehicle;
    END;
REVOKE EXECUTE ON FUNCTION app.recount_vehicle_totals(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.recount_vehicle_totals(uuid, uuid) TO household_app;

-- Adds (direction 1) or removes (-1) one fill-up's part in its vehicle's totals. The
-- fill-up itself is not among the rows it looks at: an insert's row is excluded by id, a
-- deletion's is gone.
CREATE FUNCTION app.tally_fill_up(fill public.fuel_logs, direction integer) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        prev_fill record;
        next_fill record;
        d_distance double precision := 0;
        d_burned double precision := 0;
    BEGIN
        SELECT l.odometer_km, l.volume INTO prev_fill FROM public.fuel_logs l
        WHERE l.household_id = fill.household_id AND l.vehicle_id = fill.vehicle_id
          AND l.id <> fill.id
          AND (l.filled_at, l.odometer_km, l.id) < (fill.filled_at, fill.odometer_km, fill.id)
        ORDER BY l.filled_at DESC, l.odometer_km DESC, l.id DESC LIMIT 1;
        SELECT l.odometer_km, l.volume INTO next_fill FROM public.fuel_logs l
        WHERE l.household_id = fill.household_id AND l.vehicle_id = fill.vehicle_id
          AND l.id <> fill.id
          AND (l.filled_at, l.odometer_km, l.id) > (fill.filled_at, fill.odometer_km, fill.id)
        ORDER BY l.filled_at, l.odometer_km, l.id LIMIT 1;
        IF prev_fill.odometer_km IS NOT NULL AND next_fill.odometer_km IS NOT NULL
           AND next_fill.odometer_km > prev_fill.odometer_km THEN
            d_distance := d_distance - (next_fill.odometer_km - prev_fill.odometer_km);
            d_burned := d_burned - next_fill.volume;
        END IF;
        IF prev_fill.odometer_km IS NOT NULL AND fill.odometer_km > prev_fill.odometer_km THEN
            d_distance := d_distance + (fill.odometer_km - prev_fill.odometer_km);
            d_burned := d_burned + fill.volume;
        END IF;
        IF next_fill.odometer_km IS NOT NULL AND next_fill.odometer_km > fill.odometer_km THEN
            d_distance := d_distance + (next_fill.odometer_km - fill.odometer_km);
            d_burned := d_burned + next_fill.volume;
        END IF;
        UPDATE public.vehicle_totals t
        SET fill_ups = t.fill_ups + direction,
            volume = t.volume + direction * fill.volume,
            cost = t.cost + direction * fill.cost,
            distance_km = t.distance_km + direction * d_distance,
            burned = t.burned + direction * d_burned
        WHERE t.household_id = fill.household_id AND t.vehicle_id = fill.vehicle_id;
    END
    $$;
REVOKE EXECUTE ON FUNCTION app.tally_fill_up(public.fuel_logs, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.tally_fill_up(public.fuel_logs, integer) TO household_app;

-- Keeps one vehicle's totals after a statement touched `fill_ups` of its fill-ups, `fill`
-- one of them: locks the totals, then adds or removes the one fill-up (`direction` 1 or
-- -1), or recounts (`direction` 0, or several fill-ups). A vehicle whose totals are gone is
-- being deleted: nothing to keep.
CREATE FUNCTION app.keep_vehicle_totals(household uuid, vehicle uuid, fill_ups bigint,
                                        fill public.fuel_logs, direction integer) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        PERFORM 1 FROM public.vehicle_totals t
        WHERE t.household_id = household AND t.vehicle_id = vehicle
        FOR UPDATE;
        IF NOT FOUND THEN
            RETURN;
        END IF;
        IF fill_ups > 1 OR direction = 0 THEN
            PERFORM app.recount_vehicle_totals(household, vehicle);
        ELSE
            PERFORM app.tally_fill_up(fill, direction);
        END IF;
    END
    $$;
REVOKE EXECUTE ON FUNCTION app.keep_vehicle_totals(uuid, uuid, bigint, public.fuel_logs, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.keep_vehicle_totals(uuid, uuid, bigint, public.fuel_logs, integer)
    TO household_app;

-- After each statement on fuel_logs, per vehicle it touched, in key order (so that two
-- writers lock in the same order). The fill-ups the statement changed are in the trigger's
-- transition table: `added` for an insert, `removed` for a deletion, both for an update
-- (which may move a fill-up between vehicles: every vehicle on either side is recounted).
-- The table's name varies with the event, hence EXECUTE.
CREATE FUNCTION app.keep_vehicle_totals_after() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        changed constant text := CASE TG_OP WHEN 'DELETE' THEN 'removed' ELSE 'added' END;
        direction constant integer := CASE TG_OP WHEN 'INSERT' THEN 1 WHEN 'DELETE' THEN -1 ELSE 0 END;
        touched record;
        fill public.fuel_logs;
    BEGIN
        FOR touched IN EXECUTE format(
            'SELECT c.household_id, c.vehicle_id, count(*) AS fill_ups, (array_agg(c.id))[1] AS one
             FROM (SELECT household_id, vehicle_id, id FROM %I %s) c
             GROUP BY c.household_id, c.vehicle_id ORDER BY c.household_id, c.vehicle_id',
            changed,
            CASE TG_OP WHEN 'UPDATE' THEN 'UNION ALL SELECT household_id, vehicle_id, id FROM removed' ELSE '' END)
        LOOP
            IF direction <> 0 AND touched.fill_ups = 1 THEN
                EXECUTE format('SELECT * FROM %I WHERE id = $1', changed) INTO fill USING touched.one;
            END IF;
            PERFORM app.keep_vehicle_totals(touched.household_id, touched.vehicle_id,
                                            touched.fill_ups, fill, direction);
        END LOOP;
        RETURN NULL;
    END
    $$;
REVOKE EXECUTE ON FUNCTION app.keep_vehicle_totals_after() FROM PUBLIC;

CREATE TRIGGER fuel_logs_kept_in_totals_on_insert AFTER INSERT ON fuel_logs
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION app.keep_vehicle_totals_after();
CREATE TRIGGER fuel_logs_kept_in_totals_on_delete AFTER DELETE ON fuel_logs
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION app.keep_vehicle_totals_after();
CREATE TRIGGER fuel_logs_kept_in_totals_on_update AFTER UPDATE ON fuel_logs
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION app.keep_vehicle_totals_after();

-- Every vehicle has its totals from the start.
CREATE FUNCTION app.open_vehicle_totals() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        INSERT INTO public.vehicle_totals (household_id, vehicle_id)
        SELECT a.household_id, a.id FROM added a;
        RETURN NULL;
    END
    $$;
REVOKE EXECUTE ON FUNCTION app.open_vehicle_totals() FROM PUBLIC;
CREATE TRIGGER vehicles_open_totals AFTER INSERT ON vehicles
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION app.open_vehicle_totals();

-- The vehicles already there. Row-level security binds the owner too (FORCE), and here no
-- household context is set: lifted for the backfill, in this migration's transaction.
ALTER TABLE vehicles NO FORCE ROW LEVEL SECURITY;
ALTER TABLE fuel_logs NO FORCE ROW LEVEL SECURITY;
ALTER TABLE vehicle_totals NO FORCE ROW LEVEL SECURITY;
INSERT INTO vehicle_totals (household_id, vehicle_id) SELECT household_id, id FROM vehicles;
SELECT app.recount_vehicle_totals(household_id, id) FROM vehicles;
ALTER TABLE vehicles FORCE ROW LEVEL SECURITY;
ALTER TABLE fuel_logs FORCE ROW LEVEL SECURITY;
ALTER TABLE vehicle_totals FORCE ROW LEVEL SECURITY;
