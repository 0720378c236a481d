-- wrk, for scripts/attack: the attackers' requests. Every household of the TOKENS file
-- (`<household_id> <token>` lines) reads its summary and its vehicle list, each request
-- from one of ADDRESSES client addresses (X-Forwarded-For, believed from the loopback
-- proxy), cycling through all of them as fast as the server answers.
local addresses = tonumber(os.getenv("ADDRESSES") or "8")
local requests, i = {}, 0
local threads = {}
setup = function(thread) table.insert(threads, thread) end
-- Each thread counts its answers by status; done() adds them up.
statuses = {}
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
init = function()
  for line in io.lines(os.getenv("TOKENS")) do
    local h, t = line:match("(%S+) (%S+)")
    for a = 1, addresses do
      local headers = { ["Authorization"] = "Bearer " .. t, ["X-Forwarded-For"] = "198.51.100." .. a }
      requests[#requests + 1] = wrk.format("GET", "/api/households/" .. h .. "/summary", headers)
      requests[#requests + 1] = wrk.format("GET", "/api/households/" .. h .. "/vehicles", headers)
    end
  end
  i = math.random(#requests)
end
request = function()
  i = i % #requests + 1
  return requests[i]
end
done = function(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do total[status] = (total[status] or 0) + n end
  end
  local by_status = {}
  for status, n in pairs(total) do table.insert(by_status, string.format("status_%d=%d", status, n)) end
  table.sort(by_status)
  io.write(string.format("RESULT requests=%d seconds=%.1f rps=%.0f errors=%d %s\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(by_status, " ")))
end
