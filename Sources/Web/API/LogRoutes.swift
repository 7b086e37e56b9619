import Foundation
import HTTPTypes
import Hummingbird
import MageHTTP
import MageHost

/// Block logs: `GET /api/pipelines/<uuid>/logs` (Mage's shape: the newest part of each block run's log)
/// and `GET /api/block_runs/<id>/logs/stream` (Server-Sent Events, `LogEventStream`).
struct LogRoutes {
    let server: WebServer
    /// The most of one log an answer holds: its last 64 KiB, from a line start.
    static let tailBytes = 64 << 10

    struct LogEntry: Encodable {
        var name: String
        var path: String
        var content: String
        var pipeline_run_id: Int64
        var block_run_id: Int64
        var block_uuid: String
        /// The log's whole size in bytes; `truncated` when `content` is only its end.
        var size: UInt64
        var truncated: Bool
    }

    struct Logs: Encodable {
        var block_run_logs: [LogEntry]
        /// SwiftMage keeps no log of its own per pipeline run: what happened is in the block logs and the store.
        var pipeline_run_logs: [LogEntry]
        var total_block_run_log_count: Int
        var total_pipeline_run_log_count: Int
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/pipelines/:uuid/logs") { request, context in
            let uuidText = context.parameters.get("uuid")
            return try await Blocking.run { try logs(request, uuidText) }
        }
        router.get("/api/block_runs/:id/logs/stream") { request, context in
            let idText = context.parameters.get("id")
            let resume = try Self.resumeOffset(request.headers[HTTPField.Name("Last-Event-ID")!])
            let (blockRun, pipeline) = try await Blocking.run { () throws -> (BlockRun, String) in
                let id = try ResourceName.runID(idText, "block run id")
                guard let blockRun = try server.store.blockRunGet(id: id) else { throw APIError.notFound("no block run \(id)") }
                guard let run = try server.store.pipelineRunGet(id: blockRun.pipelineRunID) else {
                    throw APIError.notFound("block run \(id) belongs to no pipeline run")
                }
                return (blockRun, run.pipeline)
            }
            let log = BlockLogFile(project: server.project, pipeline: pipeline, blockRun: blockRun)
            return LogEventStream(store: server.store, log: log, blockRunID: blockRun.id).response(from: resume)
        }
    }

    func logs(_ request: Request, _ uuidText: String?) throws -> Response {
        let query = request.query
        let uuid = try ResourceName.identifier(uuidText, "pipeline uuid")
        guard server.project.pipelineUUIDs().contains(uuid) else {
            throw APIError.notFound("no pipeline '\(uuid)' in project \(server.project.identifier)")
        }
        let page = try ListPage(query)
        let blocks = Set(try QueryValue.list(query, "block_uuid").map { try ResourceName.identifier($0, "query key block_uuid[]") })
        var runIDs = try QueryValue.list(query, "pipeline_run_id").map { try ResourceName.runID($0, "query key pipeline_run_id[]") }
        if runIDs.isEmpty {
            runIDs = try server.store.pipelineRunList(PipelineRunFilter(pipeline: uuid), limit: 1, offset: 0).map(\.id)
        }
        var selected: [BlockRun] = []
        for id in runIDs {
            guard let run = try server.store.pipelineRunGet(id: id), run.pipeline == uuid else {
                throw APIError.notFound("pipeline '\(uuid)' has no run \(id)")
            }
            selected += try server.store.blockRunList(pipelineRunID: id).filter { blocks.isEmpty || blocks.contains($0.block) }
        }
        let shown = selected.dropFirst(page.offset).prefix(page.limit)
        let entries = try shown.map { blockRun in
            let file = BlockLogFile(project: server.project, pipeline: uuid, blockRun: blockRun)
            let tail = try file.tail(maxBytes: Self.tailBytes)
            return LogEntry(name: "block.log", path: file.path, content: tail.text, pipeline_run_id: blockRun.pipelineRunID,
                            block_run_id: blockRun.id, block_uuid: blockRun.block, size: tail.size, truncated: tail.truncated)
        }
        let logs = Logs(block_run_logs: entries, pipeline_run_logs: [], total_block_run_log_count: selected.count,
                        total_pipeline_run_log_count: 0)
        return JSONResponse.make(ListEnvelope("logs", [logs], count: 1))
    }

    /// `Last-Event-ID`: the byte offset after the last line the client has.
    static func resumeOffset(_ header: String?) throws -> UInt64 {
        guard let header else { return 0 }
        guard let offset = Int64(header.trimmingCharacters(in: .whitespaces)), offset >= 0 else {
            throw APIError.badRequest("Last-Event-ID must be an event id this stream sent (a byte offset), got '\(APIError.printable(header))'")
        }
        return UInt64(offset)
    }
}
