import Foundation
import Hummingbird
import MageHTTP
import MageHost
import ServiceLifecycle

/// `GET /api/block_runs/<id>/logs/stream`: Server-Sent Events that replay a block run's log and follow
/// it until the block run (or its pipeline run) ends.
///
///     id: 1834            ← the byte offset after the line: send it back as Last-Event-ID to resume
///     event: log
///     data: 2026-12-03T07:41:02Z info attempt 1 of block 'training' …
///
///     event: status       ← the first state, then every change
///     data: {"attempts":1,"block_run_id":7,"error":null,"status":"running"}
///
///     event: end          ← after the last line of a finished block run; the stream closes
///
/// The log is polled (`pollInterval`), so a line reaches the client at most one interval after it is
/// written; a comment line every `heartbeat` lets clients and proxies see the stream is alive.
struct LogEventStream: Sendable {
    let store: any MetadataStore
    let log: BlockLogFile
    let blockRunID: Int64
    var pollInterval: Duration = .milliseconds(50)
    var heartbeat: Duration = .seconds(15)
    /// The most log bytes read per poll.
    var chunkBytes = 64 << 10

    struct Status: Encodable, Equatable {
        var block_run_id: Int64
        var status: String
        var attempts: Int
        var error: String?

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(block_run_id, forKey: .block_run_id)
            try container.encode(status, forKey: .status)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(error, forKey: .error)  // null, not absent, while it has none
        }

        enum CodingKeys: String, CodingKey { case block_run_id, status, attempts, error }
    }

    func response(from offset: UInt64) -> Response {
        Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                 body: ResponseBody { writer in try await self.run(from: offset, into: &writer) })
    }

    private func run(from start: UInt64, into writer: inout any ResponseBodyWriter) async throws {
        var offset = start
        var sent: Status?
        var lastWrite = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // The state is read before the log: once it says finished, every line written before is on disk.
            let state = try await Blocking.run { [store, blockRunID] in
                try store.blockRunGet(id: blockRunID).map { blockRun in
                    (blockRun, try store.pipelineRunGet(id: blockRun.pipelineRunID)?.status.isFinished ?? true)
                }
            }
            guard let (blockRun, runFinished) = state else { break }
            let finished = blockRun.status.isFinished || runFinished
            let read = try await Blocking.run { [log, chunkBytes, offset] in try log.lines(from: offset, maxBytes: chunkBytes, final: finished) }
            var events = ""
            for (line, end) in zip(read.lines, read.offsets) { events += "id: \(end)\nevent: log\ndata: \(line)\n\n" }
            offset = read.next
            let status = Status(block_run_id: blockRun.id, status: blockRun.status.rawValue, attempts: blockRun.attempts, error: blockRun.error)
            if status != sent {
                events += "event: status\ndata: \(Self.json(status))\n\n"
                sent = status
            }
            let done = finished && read.atEnd
            if done { events += "event: end\ndata: \(Self.json(status))\n\n" }
            if !events.isEmpty {
                try await writer.write(ByteBuffer(string: events))
                lastWrite = .now
            } else if ContinuousClock.now - lastWrite >= heartbeat {
                try await writer.write(ByteBuffer(string: ": alive\n\n"))
                lastWrite = .now
            }
            if done { break }
            if read.atEnd { try await Task.sleep(for: pollInterval) }
        }
        try await writer.finish(nil)
    }

    static func json(_ status: Status) -> String {
        String(decoding: (try? JSONResponse.encoder.encode(status)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
