import Foundation

/// The service's metrics in the Prometheus text exposition format (0.0.4): requests and latency by
/// route, method and status; the model version serving; reloads.
public final class PrometheusMetrics: Sendable {
    struct Key: Hashable { var route: String, method: String, status: Int }
    struct Series { var count = 0; var sum = 0.0; var buckets: [Int] }

    static let bounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
    private let series = Locked<[Key: Series]>([:])

    public init() {}

    func observe(route: String, method: String, status: Int, seconds: Double) {
        series.withLock { all in
            var s = all[Key(route: route, method: method, status: status)] ?? Series(buckets: Array(repeating: 0, count: Self.bounds.count))
            s.count += 1
            s.sum += seconds
            for (i, bound) in Self.bounds.enumerated() where seconds <= bound { s.buckets[i] += 1 }
            all[Key(route: route, method: method, status: status)] = s
        }
    }

    /// The audit queue as `/metrics` shows it.
    struct AuditQueue {
        var pending: Int
        var limit: Int
        var dropped: Int
    }

    func render(slot: ModelSlot.Status, audit: AuditQueue?) -> String {
        var out = ""
        out += "# HELP mage_http_requests_total HTTP requests by route, method and status.\n# TYPE mage_http_requests_total counter\n"
        let snapshot = series.current.sorted { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }
        for (key, s) in snapshot {
            out += "mage_http_requests_total{\(labels(key))} \(s.count)\n"
        }
        out += "# HELP mage_http_request_duration_seconds Request latency by route, method and status.\n# TYPE mage_http_request_duration_seconds histogram\n"
        for (key, s) in snapshot {
            for (i, bound) in Self.bounds.enumerated() {
                out += "mage_http_request_duration_seconds_bucket{\(labels(key)),le=\"\(bound)\"} \(s.buckets[i])\n"
            }
            out += "mage_http_request_duration_seconds_bucket{\(labels(key)),le=\"+Inf\"} \(s.count)\n"
            out += "mage_http_request_duration_seconds_sum{\(labels(key))} \(s.sum)\n"
            out += "mage_http_request_duration_seconds_count{\(labels(key))} \(s.count)\n"
        }
        out += "# HELP mage_model_info The model version serving (value 1).\n# TYPE mage_model_info gauge\n"
        if let model = slot.model { out += "mage_model_info{version=\"\(escape(model.version))\"} 1\n" }
        out += "# HELP mage_model_reloads_total Model loads by result.\n# TYPE mage_model_reloads_total counter\n"
        out += "mage_model_reloads_total{result=\"success\"} \(slot.reloads)\n"
        out += "mage_model_reloads_total{result=\"failure\"} \(slot.failures)\n"
        if let last = slot.lastReload {
            out += "# HELP mage_model_last_reload_timestamp_seconds When the serving model was loaded.\n# TYPE mage_model_last_reload_timestamp_seconds gauge\n"
            out += "mage_model_last_reload_timestamp_seconds \(last.timeIntervalSince1970)\n"
        }
        if let audit {
            out += "# HELP mage_audit_pending Predictions waiting to be written to the store.\n# TYPE mage_audit_pending gauge\n"
            out += "mage_audit_pending \(audit.pending)\n"
            out += "# HELP mage_audit_queue_limit The most predictions the audit queue holds.\n# TYPE mage_audit_queue_limit gauge\n"
            out += "mage_audit_queue_limit \(audit.limit)\n"
            out += "# HELP mage_audit_queue_full 1 while the audit queue is full.\n# TYPE mage_audit_queue_full gauge\n"
            out += "mage_audit_queue_full \(audit.pending >= audit.limit ? 1 : 0)\n"
            out += "# HELP mage_audit_dropped_total Batched audit rows dropped because the queue was full.\n# TYPE mage_audit_dropped_total counter\n"
            out += "mage_audit_dropped_total \(audit.dropped)\n"
        }
        return out
    }

    private func labels(_ key: Key) -> String {
        "route=\"\(escape(key.route))\",method=\"\(key.method)\",status=\"\(key.status)\""
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
