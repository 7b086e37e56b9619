import Foundation
import Logging
import MageHost
import ServiceLifecycle

/// The audit log of every prediction, written to the store's `predictions` table in batches by its own
/// task: a request only appends to a queue in memory. On graceful shutdown the queue is flushed after
/// the HTTP server has stopped taking requests (the service group stops services in reverse order), so
/// nothing is lost.
public final class AuditLog: Service, @unchecked Sendable {
    struct Entry: Sendable {
        var requestID: String
        var modelVersion: String
        var features: [String]
        var request: PredictionRequest
        var results: [PredictionResult]
        var latencyMilliseconds: Double
        var at: Date
    }

    private let store: any MetadataStore
    private let interval: Duration
    private let logger: Logger
    private let queue = Locked<[Entry]>([])
    private let written = Locked(0)

    public init(store: any MetadataStore, interval: Duration, logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    func append(_ entry: Entry) { queue.withLock { $0.append(entry) } }

    public var pending: Int { queue.withLock { $0.count } }
    public var writtenCount: Int { written.current }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // Graceful shutdown ends the wait at once; the last flush below then writes what is queued.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            flush()
        }
        flush()
    }

    /// Writes every queued entry in one transaction; on failure they go back to the queue.
    public func flush() {
        let batch = queue.withLock { q in defer { q.removeAll() }; return q }
        guard !batch.isEmpty else { return }
        let records = batch.map { e -> PredictionRecord in
            // Inputs as the client named them, one object per row (an array for a batch).
            var inputText = e.request.isBatch ? "[" : ""
            let width = e.features.count
            let order = e.features.indices.sorted { e.features[$0] < e.features[$1] }
            for row in 0..<e.request.rowCount {
                if row > 0 { inputText += "," }
                inputText += "{"
                for (n, f) in order.enumerated() {
                    if n > 0 { inputText += "," }
                    JSONText.append(e.features[f], to: &inputText)
                    inputText += ":"
                    JSONText.append(e.request.values[row * width + f], to: &inputText)
                }
                inputText += "}"
            }
            if e.request.isBatch { inputText += "]" }
            return PredictionRecord(source: .predict, requestID: e.requestID, modelVersion: e.modelVersion, inputs: inputText,
                                    outputs: PredictionResult.json(e.results, batch: true), latencyMilliseconds: e.latencyMilliseconds,
                                    userID: nil, at: e.at)
        }
        do {
            try store.predictionAppend(records)
            written.withLock { $0 += records.count }
        } catch {
            logger.error("audit log: cannot write \(records.count) predictions, will retry: \(error)")
            queue.withLock { $0.insert(contentsOf: batch, at: 0) }
        }
    }
}
