-- wrk script: GET /ping, reporting like post_predict.lua; PACE_MS paces each connection the same way.
local pace = tonumber(os.getenv("PACE_MS") or "")
if pace then function delay() return pace end end

done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.3f %.3f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
