import Foundation

/// The metadata store on a PostgreSQL server, for projects that outgrow one machine: the same protocol
/// as `SQLiteStore`, and the same conformance tests. Connections are pooled; when the server goes away
/// (restarted), calls wait for it with a bounded backoff (`PostgresReconnect`). Claims use
/// `FOR UPDATE SKIP LOCKED`, so dispatchers on several hosts never wait on each other's rows.
public final class PostgresStore: MetadataStore, @unchecked Sendable {
    let url: String
    let connectTimeout: Int
    let statementTimeoutMilliseconds: Int
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    let reconnect: PostgresReconnect
    public var backend: String { "postgresql" }

    public init(url: String, connectTimeout: Int = 5, statementTimeoutMilliseconds: Int = 30_000,
                reconnect: PostgresReconnect = PostgresReconnect()) throws {
        self.url = url
        self.reconnect = reconnect
        self.connectTimeout = connectTimeout
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        // The first connection fails at once: a command pointed at a wrong or down server says so
        // without waiting. Later calls wait for a server that went away (`withConnection`).
        let first: PostgresConnection
        do {
            first = try PostgresConnection(url: url, connectTimeout: connectTimeout, statementTimeoutMilliseconds: statementTimeoutMilliseconds)
        } catch let failure as PostgresConnection.Failure {
            throw MageError.io("\(failure.description) (\(Self.masked(url)))")
        }
        try PostgresMigrations.migrate(first)
        idle.append(first)
    }

    /// The URL with its password replaced by `********`, for messages and logs.
    public static func masked(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@"),
              let colon = url[scheme.upperBound..<at].firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "********" + String(url[at...])
    }

    /// Runs `body` on a pooled connection, or a new one. A pooled connection the server closed while it
    /// sat idle is dropped unused. When the server is gone (`PostgresReconnect` says which failures
    /// count), the pool is emptied and `body` run again on a new connection after a backoff; a failure
    /// that may have changed something is never run again, it is the caller's (`StoreUnavailable`).
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        var delays = reconnect.delays.makeIterator()
        while true {
            do {
                return try run(body, on: try checkout())
            } catch let error as PostgresError where error.changedNothing || (error.broken && error.sqlState == nil) {
                lock.withLock { idle.removeAll() }
                guard error.changedNothing else {
                    throw StoreUnavailable(description: "the connection to PostgreSQL broke during a statement, which may or may not have taken effect: \(error.message) (\(Self.masked(url)))")
                }
                guard let delay = delays.next() else { throw unavailable(error.message) }
                Thread.sleep(forTimeInterval: delay)
            } catch let failure as PostgresConnection.Failure {
                lock.withLock { idle.removeAll() }
                guard let delay = delays.next() else { throw unavailable(failure.description) }
                Thread.sleep(forTimeInterval: delay)
            }
        }
    }

    private func unavailable(_ reason: String) -> StoreUnavailable {
        StoreUnavailable(description: "PostgreSQL is unavailable (waited \(reconnect.maxWait.formatted()) s for it): \(reason) (\(Self.masked(url)))")
    }

    /// An idle pooled connection that is still alive, or a new one.
    private func checkout() throws -> PostgresConnection {
        while let pooled = lock.withLock({ idle.popLast() }) {
            if pooled.isAlive { return pooled }
        }
        return try PostgresConnection(url: url, connectTimeout: connectTimeout, statementTimeoutMilliseconds: statementTimeoutMilliseconds)
    }

    private func run<T>(_ body: (PostgresConnection) throws -> T, on connection: PostgresConnection) throws -> T {
        defer {
            if !connection.isBroken { lock.withLock { if idle.count < 8 { idle.append(connection) } } }
        }
        return try body(connection)
    }

    /// One statement. A write runs in a transaction of its own: a connection that breaks before the
    /// `COMMIT` then certainly changed nothing, and the call is made again (`withConnection`).
    func query(_ sql: String, _ parameters: [String?] = []) throws -> PostgresRows {
        if sql.hasPrefix("SELECT") { return try withConnection { try $0.query(sql, parameters) } }
        return try transaction { try $0.query(sql, parameters) }
    }

    func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try withConnection { connection in try connection.transaction { try body(connection) } }
    }

    // MARK: - Runs and block runs

    public func pipelineRunCreate(_ params: PipelineRunCreateParams) throws -> PipelineRun {
        try transaction { c in try Self.insertRun(params, c)! }
    }

    /// Inserts a run and its block runs; nil when its trigger already has a run for its execution date.
    static func insertRun(_ params: PipelineRunCreateParams, _ c: PostgresConnection) throws -> PipelineRun? {
        let status: PipelineRunStatus = params.lease == nil ? .initial : .running
        let trigger = params.trigger
        guard let row = try c.query("""
            INSERT INTO pipeline_runs (pipeline, status, variables, created_at, started_at, owner, lease_expires_at, retry_on_host_failure,
                                       pipeline_schedule_id, execution_date, timeout_seconds, timeout_status, sla_due_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT DO NOTHING RETURNING *
            """, [params.pipeline, status.rawValue, ConfigValue.map(params.variables).jsonText, PostgresText.date(params.createdAt),
                  params.lease == nil ? nil : PostgresText.date(params.createdAt), params.lease?.owner,
                  PostgresText.date(params.lease?.until), PostgresText.bool(params.retryOnHostFailure),
                  trigger.map { String($0.scheduleID) }, PostgresText.date(trigger?.executionDate),
                  trigger?.timeout.map { String($0) }, trigger?.timeoutStatus.rawValue, PostgresText.date(trigger?.slaDueAt)]).first
        else { return nil }
        let run = pipelineRun(row)
        for block in params.blocks {
            try c.query("INSERT INTO block_runs (pipeline_run_id, block, status, attempts) VALUES ($1, $2, 'initial', 0)",
                        [String(run.id), block])
        }
        return run
    }

    public func pipelineRunGet(id: Int64) throws -> PipelineRun? {
        try query("SELECT * FROM pipeline_runs WHERE id = $1", [String(id)]).first.map(Self.pipelineRun)
    }

    public func pipelineRunList(_ filter: PipelineRunFilter, limit: Int, offset: Int) throws -> [PipelineRun] {
        let (condition, parameters) = Self.whereClause(filter)
        return try query("SELECT * FROM pipeline_runs\(condition) ORDER BY id DESC LIMIT $\(parameters.count + 1) OFFSET $\(parameters.count + 2)",
                         parameters + [String(limit), String(offset)]).all.map(Self.pipelineRun)
    }

    public func pipelineRunCount(_ filter: PipelineRunFilter) throws -> Int {
        let (condition, parameters) = Self.whereClause(filter)
        return try query("SELECT COUNT(*) AS n FROM pipeline_runs\(condition)", parameters).first?.int("n") ?? 0
    }

    private static func whereClause(_ filter: PipelineRunFilter) -> (String, [String?]) {
        var conditions: [String] = []
        var parameters: [String?] = []
        if let pipeline = filter.pipeline {
            parameters.append(pipeline)
            conditions.append("pipeline = $\(parameters.count)")
        }
        if let scheduleID = filter.scheduleID {
            parameters.append(String(scheduleID))
            conditions.append("pipeline_schedule_id = $\(parameters.count)")
        }
        if !filter.statuses.isEmpty {
            let placeholders = filter.statuses.map(\.rawValue).sorted().map { status -> String in
                parameters.append(status)
                return "$\(parameters.count)"
            }
            conditions.append("status IN (\(placeholders.joined(separator: ", ")))")
        }
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), parameters)
    }

    public func blockRunList(pipelineRunID: Int64) throws -> [BlockRun] {
        try query("SELECT * FROM block_runs WHERE pipeline_run_id = $1 ORDER BY id", [String(pipelineRunID)]).all.map(Self.blockRun)
    }

    public func blockRunGet(id: Int64) throws -> BlockRun? {
        try query("SELECT * FROM block_runs WHERE id = $1", [String(id)]).first.map(Self.blockRun)
    }

    public func blockRunSummaries(pipelineRunIDs: [Int64]) throws -> [Int64: BlockRunSummary] {
        guard !pipelineRunIDs.isEmpty else { return [:] }
        let rows = try query("""
            SELECT pipeline_run_id, status, COUNT(*) AS n, MIN(started_at) AS first_started FROM block_runs
            WHERE pipeline_run_id = ANY($1::bigint[]) GROUP BY pipeline_run_id, status
            """, ["{" + pipelineRunIDs.map(String.init).joined(separator: ",") + "}"]).all
        var summaries: [Int64: BlockRunSummary] = [:]
        for row in rows {
            guard let status = BlockRunStatus(rawValue: row.string("status")) else { continue }
            let id = row.int64("pipeline_run_id")
            summaries[id, default: BlockRunSummary()].counts[status] = row.int("n")
            if let started = row.date("first_started") {
                summaries[id]!.firstStartedAt = min(started, summaries[id]!.firstStartedAt ?? started)
            }
        }
        return summaries
    }

    public func blockRunLatestCompleted(pipeline: String, block: String) throws -> BlockRun? {
        try query("""
            SELECT b.* FROM block_runs b JOIN pipeline_runs r ON r.id = b.pipeline_run_id
            WHERE r.pipeline = $1 AND b.block = $2 AND b.status = 'completed' ORDER BY b.id DESC LIMIT 1
            """, [pipeline, block]).first.map(Self.blockRun)
    }

    static func pipelineRun(_ row: PostgresRow) -> PipelineRun {
        let variables = (try? JSONDecoder().decode([String: ConfigValue].self, from: Data(row.string("variables").utf8))) ?? [:]
        let trigger = row.text("pipeline_schedule_id").flatMap(Int64.init).map { id in
            RunTrigger(scheduleID: id, executionDate: row.date("execution_date"), timeout: row.double("timeout_seconds"),
                       timeoutStatus: row.text("timeout_status").flatMap(Trigger.TimeoutStatus.init) ?? .failed,
                       slaDueAt: row.date("sla_due_at"))
        }
        return PipelineRun(id: row.int64("id"), pipeline: row.string("pipeline"),
                           status: PipelineRunStatus(rawValue: row.string("status")) ?? .failed, variables: variables,
                           createdAt: row.date("created_at") ?? Date(timeIntervalSince1970: 0), startedAt: row.date("started_at"),
                           completedAt: row.date("completed_at"), owner: row.text("owner"), leaseExpiresAt: row.date("lease_expires_at"),
                           cancelRequested: row.bool("cancel_requested"), retryOnHostFailure: row.bool("retry_on_host_failure"),
                           hostFailures: row.int("host_failures"), trigger: trigger, slaMissedAt: row.date("sla_missed_at"),
                           timedOutAt: row.date("timed_out_at"))
    }

    static func blockRun(_ row: PostgresRow) -> BlockRun {
        let facets = row.text("facets").flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        return BlockRun(id: row.int64("id"), pipelineRunID: row.int64("pipeline_run_id"), block: row.string("block"),
                        status: BlockRunStatus(rawValue: row.string("status")) ?? .failed, attempts: row.int("attempts"),
                        startedAt: row.date("started_at"), completedAt: row.date("completed_at"), error: row.text("error"),
                        logPath: row.text("log_path"), outputPath: row.text("output_path"), facets: facets,
                        nextAttemptAt: row.date("next_attempt_at"))
    }
}
