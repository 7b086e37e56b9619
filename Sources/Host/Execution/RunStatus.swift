/// Mage's pipeline run statuses.
public enum PipelineRunStatus: String, Sendable, Codable, CaseIterable {
    case initial, running, completed, failed, cancelled

    public var isFinished: Bool { self == .completed || self == .failed || self == .cancelled }
}

/// Mage's block run statuses.
public enum BlockRunStatus: String, Sendable, Codable, CaseIterable {
    case initial, queued, running, completed, failed, cancelled
    case upstreamFailed = "upstream_failed"

    public var isFinished: Bool {
        switch self {
        case .completed, .failed, .cancelled, .upstreamFailed: true
        case .initial, .queued, .running: false
        }
    }
}
