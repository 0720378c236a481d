-- wrk: one of the benchmark's routes, cycling through the households of the TOKENS file
-- (`<household_id> <token>` lines). ROUTE is
--   vehicles  GET /api/households/{id}/vehicles with the internal token (server, Express);
--   graphql   POST /graphql, the same first page through PostGraphile, internal token;
--   exchange  POST /exchange {"household_id"} with the Auth0 access token.
local route = os.getenv("ROUTE") or "vehicles"
-- The server's default page size, which the REST routes use when no limit is given.
local graphql = [[{"query":"{ allVehicles(first: 50, orderBy: NAME_ASC) { nodes { id householdId name make model year fuelUnit createdAt } pageInfo { hasNextPage endCursor } } }"}]]
local requests, i = {}, 0
-- Built once per thread, in init: wrk.format adds the Host header only from then on.
init = function()
  for line in io.lines(os.getenv("TOKENS")) do
    local h, t = line:match("(%S+) (%S+)")
    local auth = "Bearer " .. t
    if route == "vehicles" then
      requests[#requests + 1] = wrk.format("GET", "/api/households/" .. h .. "/vehicles", { ["Authorization"] = auth })
    elseif route == "graphql" then
      requests[#requests + 1] = wrk.format("POST", "/graphql",
        { ["Authorization"] = auth, ["Content-Type"] = "application/json" }, graphql)
    else
      requests[#requests + 1] = wrk.format("POST", "/exchange",
        { ["Authorization"] = auth, ["Content-Type"] = "application/json" }, '{"household_id":"' .. h .. '"}')
    end
  end
  i = math.random(#requests)
end
request = function()
  i = i % #requests + 1
  return requests[i]
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
