import Foundation
import MageHTTP
import Logging
import MageHost
import ServiceLifecycle
import Synchronization
import MageHTTP

/// The audit log of every prediction, written to the store's `predictions` table by its own task, many
/// rows to a transaction. Two modes (`AuditMode`):
/// - `durable`: a request waits until the transaction holding its row has committed, and is answered
///   503 if it could not be; the writer starts the next transaction as soon as the last one committed,
///   with every row queued meanwhile (group commit).
/// - `batched`: a request only appends its row to the queue; the writer commits the queue every
///   `interval`, after the answers have gone out.
/// The queue holds at most `limit` rows: when it is full (the store stalls), a durable request is
/// answered 503, and a batched row is dropped and counted. On graceful shutdown the queue is flushed
/// after the HTTP server has stopped taking requests (the service group stops services in reverse
/// order).
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

    enum Commit: Sendable {
        case committed
        case failed(String)
    }

    private struct Queued {
        var entry: Entry
        /// The durable request waiting for its row's commit.
        var waiter: CheckedContinuation<Commit, Never>?
    }

    public let mode: AuditMode
    public let limit: Int
    private let store: any MetadataStore
    private let interval: Duration
    private let logger: Logger
    /// The rows waiting, and how many more the writer holds in the transaction under way: both count
    /// against `limit` until they are committed.
    private struct Backlog {
        var queued: [Queued] = []
        var writing = 0
        var count: Int { queued.count + writing }
    }
    private let backlog = Locked(Backlog())
    private let written = Locked(0)
    private let droppedRows = Atomic<Int>(0)
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init(store: any MetadataStore, mode: AuditMode = .batched, interval: Duration, limit: Int = 100_000, logger: Logger) {
        self.store = store
        self.mode = mode
        self.interval = interval
        self.limit = max(1, limit)
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues one answered request (durable: and waits for its commit). `answer`: the `/predict` body
    /// already written, or nil to render the answers in that shape (`/invocations`, whose own body holds
    /// only the classes).
    func record(_ predictions: Predictions, of request: PredictionRequest, requestID: String, answer: [UInt8]?,
                startedAt start: ContinuousClock.Instant) async throws(APIError) {
        let elapsed = ContinuousClock.now - start
        let response = answer ?? {
            var json = JSONWriter(capacity: 224 * predictions.rowCount + 2)
            predictions.writeJSON(to: &json, batch: request.isBatch)
            return json.bytes
        }()
        let entry = Entry(requestID: requestID, modelVersion: predictions.model.version, schema: predictions.model.schema,
                          request: request, response: response,
                          latencyMilliseconds: Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000,
                          at: predictions.time)
        switch mode {
        case .batched:
            if !enqueue(Queued(entry: entry, waiter: nil)) { droppedRows.add(1, ordering: .relaxed) }
        case .durable:
            let commit = await withCheckedContinuation { (waiter: CheckedContinuation<Commit, Never>) in
                if enqueue(Queued(entry: entry, waiter: waiter)) {
                    wake.yield()
                } else {
                    waiter.resume(returning: .failed("the audit queue is full (\(limit) rows): the store is not keeping up"))
                }
            }
            if case .failed(let reason) = commit {
                throw .unavailable("the prediction was not answered because its audit row could not be recorded: \(reason)")
            }
        }
    }

    private func enqueue(_ item: Queued) -> Bool {
        backlog.withLock { b in
            guard b.count < limit else { return false }
            b.queued.append(item)
            return true
        }
    }

    /// Rows not committed yet: queued, or in the transaction under way.
    public var pending: Int { backlog.withLock { $0.count } }
    public var isFull: Bool { pending >= limit }
    public var writtenCount: Int { written.current }
    /// Batched rows dropped because the queue was full.
    public var dropped: Int { droppedRows.load(ordering: .relaxed) }

    public func run() async throws {
        switch mode {
        case .batched:
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                // Graceful shutdown ends the wait at once; the last flush below then writes what is queued.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
                await Blocking.value { self.flush() }
            }
        case .durable:
            // Each wake-up is one transaction with every row queued since the last one began.
            try? await cancelWhenGracefulShutdown {
                for await _ in self.wakeups { await Blocking.value { self.flush() } }
            }
        }
        await Blocking.value { self.flush() }
    }

    /// Writes every queued entry in one transaction, then releases the durable requests waiting for it.
    /// On failure those are answered 503, and batched rows go back to the queue (within its bound).
    public func flush() {
        let batch = backlog.withLock { b in
            defer { b.queued.removeAll(keepingCapacity: true) }
            b.writing = b.queued.count
            return b.queued
        }
        guard !batch.isEmpty else { return }
        let records = batch.map { q -> PredictionRecord in
            let e = q.entry
            return PredictionRecord(source: .predict, requestID: e.requestID, modelVersion: e.modelVersion, inputs: Self.inputs(e),
                                    outputs: Self.outputs(e), latencyMilliseconds: e.latencyMilliseconds, userID: nil, at: e.at)
        }
        do {
            try store.predictionAppend(records)
            backlog.withLock { $0.writing = 0 }
            written.withLock { $0 += records.count }
            for q in batch { q.waiter?.resume(returning: .committed) }
        } catch {
            logger.error("audit log: cannot write \(records.count) predictions: \(error)")
            for q in batch { q.waiter?.resume(returning: .failed("\(error)")) }
            let retry = batch.filter { $0.waiter == nil }
            let lost = backlog.withLock { b in
                b.writing = 0
                let kept = retry.prefix(max(0, limit - b.queued.count))
                b.queued.insert(contentsOf: kept, at: 0)
                return retry.count - kept.count
            }
            if lost > 0 { droppedRows.add(lost, ordering: .relaxed) }
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
