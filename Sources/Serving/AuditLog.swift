import Foundation
import MageHTTP
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
        var schema: ModelSchema
        var request: PredictionRequest
        /// The answers in `/predict`'s shape: the response body of `/predict` as the client received it,
        /// the same shape for `/invocations`.
        var response: [UInt8]
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

    /// Queues one answered request. `answer`: the `/predict` body already written, or nil to render the
    /// answers in that shape (`/invocations`, whose own body holds only the classes).
    func record(_ predictions: Predictions, of request: PredictionRequest, requestID: String, answer: [UInt8]?,
                startedAt start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let response = answer ?? {
            var json = JSONWriter(capacity: 224 * predictions.rowCount + 2)
            predictions.writeJSON(to: &json, batch: request.isBatch)
            return json.bytes
        }()
        append(Entry(requestID: requestID, modelVersion: predictions.model.version, schema: predictions.model.schema,
                     request: request, response: response,
                     latencyMilliseconds: Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000,
                     at: predictions.time))
    }

    public var pending: Int { queue.withLock { $0.count } }
    public var writtenCount: Int { written.current }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // Graceful shutdown ends the wait at once; the last flush below then writes what is queued.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            await Blocking.value { self.flush() }
        }
        await Blocking.value { self.flush() }
    }

    /// Writes every queued entry in one transaction; on failure they go back to the queue.
    public func flush() {
        let batch = queue.withLock { q in defer { q.removeAll() }; return q }
        guard !batch.isEmpty else { return }
        let records = batch.map { e -> PredictionRecord in
            PredictionRecord(source: .predict, requestID: e.requestID, modelVersion: e.modelVersion, inputs: Self.inputs(e),
                             outputs: Self.outputs(e), latencyMilliseconds: e.latencyMilliseconds, userID: nil, at: e.at)
        }
        do {
            try store.predictionAppend(records)
            written.withLock { $0 += records.count }
        } catch {
            logger.error("audit log: cannot write \(records.count) predictions, will retry: \(error)")
            queue.withLock { $0.insert(contentsOf: batch, at: 0) }
        }
    }

    /// The inputs as the client named them, keys sorted, one object per row (an array for a batch).
    static func inputs(_ e: Entry) -> String {
        let width = e.schema.featureNames.count
        var json = JSONWriter(capacity: 32 * width * e.request.rowCount + 2)
        if e.request.isBatch { json.raw(UInt8(ascii: "[")) }
        for row in 0..<e.request.rowCount {
            if row > 0 { json.raw(UInt8(ascii: ",")) }
            json.raw(UInt8(ascii: "{"))
            for (n, key) in e.schema.featureKeys.enumerated() {
                if n > 0 { json.raw(UInt8(ascii: ",")) }
                json.raw(key.json)
                json.number(e.request.values[row * width + key.index])
            }
            json.raw(UInt8(ascii: "}"))
        }
        if e.request.isBatch { json.raw(UInt8(ascii: "]")) }
        return json.text
    }

    /// The results, always as an array.
    static func outputs(_ e: Entry) -> String {
        let body = String(decoding: e.response, as: UTF8.self)
        return e.request.isBatch ? body : "[" + body + "]"
    }
}
