-- wrk: GET …/vehicles, cycling through one token per household (TOKENS file).
local entries = {}
for line in io.lines(os.getenv("TOKENS")) do
  local h, t = line:match("(%S+) (%S+)")
  entries[#entries + 1] = { path = "/api/households/" .. h .. "/vehicles", auth = "Bearer " .. t }
end
local i = math.random(#entries)
request = function()
  i = i % #entries + 1
  return wrk.format("GET", entries[i].path, { ["Authorization"] = entries[i].auth })
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
