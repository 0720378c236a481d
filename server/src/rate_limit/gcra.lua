-- GCRA in one atomic step: the same rule governor applies in each process, on a theoretical
-- arrival time (TAT) that every replica shares.
-- KEYS[1]: the key. ARGV[1]: the emission interval in microseconds (1 s / rate, whole).
-- ARGV[2]: the burst. Returns 0 when the request is allowed (and counts it), else the
-- microseconds to wait. Redis's clock, not the replicas', so their skew does not matter.
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
local allowed_at = new_tat - burst * interval
if now < allowed_at then
  return allowed_at - now
end
-- '%.0f': Lua's own tostring keeps 14 digits, too few for microseconds since 1970. The key
-- expires when its TAT is past: a key at rest holds a full burst, as a missing one does.
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1)
return 0
