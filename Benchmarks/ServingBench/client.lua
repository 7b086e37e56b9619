-- wrk script for the serving benchmark. With POST_EXAMPLE set, each request POSTs the seed's example
-- customer (for /predict); otherwise a plain GET (for /ping). With PACE_MS set, each connection waits that
-- long between its requests: an offered rate below saturation, so latency is the service's own and not
-- queueing behind a closed loop.
local post = os.getenv("POST_EXAMPLE")
if post and post ~= "" then
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"account_age": 24, "monthly_charges": 65.5, "total_charges": 1569.5, "num_services": 3, "customer_service_calls": 4, "contract_length": 12, "payment_method_score": 0.8, "usage_frequency": 0.7, "support_tickets": 2, "satisfaction_score": 0.6}'
end

local pace = tonumber(os.getenv("PACE_MS") or "")
if pace then function delay() return pace end end

-- One line a person and a script can read: requests/s, p50 and p99 in milliseconds, errors.
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.3f %.3f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
