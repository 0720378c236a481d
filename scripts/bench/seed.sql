-- Benchmark data, as the owner: :households households × :vehicles vehicles, and
-- :logs fuel logs spread over the vehicles. Household n has the id
-- 00000000-0000-4000-8000-<n as 12 hex digits>; `bench|member` (the subject of the
-- tokens mint_tokens prints) is a member of each.
INSERT INTO households (id, name)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'Household ' || n
FROM generate_series(1, :households) AS n;

INSERT INTO household_members (household_id, user_sub, role)
SELECT id, 'bench|member', 'member' FROM households;

INSERT INTO vehicles (household_id, name, make, model, year)
SELECT h.id, 'Vehicle ' || lpad(v::text, 3, '0'), 'Make', 'Model', 2000 + v % 25
FROM households h, generate_series(1, :vehicles) AS v;

INSERT INTO fuel_logs (household_id, vehicle_id, filled_at, odometer_km, volume, cost)
SELECT v.household_id, v.id, date '2020-01-01' + k * 14, 1000 + k * 500, 40, 70
FROM (SELECT household_id, id, row_number() OVER () AS r FROM vehicles) v,
     generate_series(1, GREATEST(1, :logs / (:households * :vehicles))) AS k;

ANALYZE;
