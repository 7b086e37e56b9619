import Foundation

/// Where runs, block runs and plugin records live. SQLite is the embedded default; other databases
/// implement the same protocol and pass the same conformance tests.
public protocol MetadataStore: Sendable {
    /// Which database this is, as `/api/statuses` reports it: `sqlite` or `postgresql`.
    var backend: String { get }

    /// Creates a pipeline run and one `initial` block run per block, in one transaction. The run is
    /// `initial`, waiting for a dispatcher; or `running` under `params.lease` when its creator runs it.
    func pipelineRunCreate(_ params: PipelineRunCreateParams) throws -> PipelineRun
    func pipelineRunGet(id: Int64) throws -> PipelineRun?
    /// Newest first: the runs `filter` selects, skipping `offset` of them.
    func pipelineRunList(_ filter: PipelineRunFilter, limit: Int, offset: Int) throws -> [PipelineRun]
    /// How many runs `filter` selects.
    func pipelineRunCount(_ filter: PipelineRunFilter) throws -> Int

    // The run queue: every status change after creation is one of these guarded writes, which report
    // whether they happened.

    /// Claims the oldest `initial` run nobody asked to cancel: `initial → running` under `lease`. Nil
    /// when no run waits.
    func pipelineRunClaim(_ lease: Lease, at: Date) throws -> PipelineRun?
    /// Extends the lease of every run `owner` holds running; returns those runs.
    func leaseRenew(_ lease: Lease) throws -> [LeaseHold]
    /// Moves a run and some of its block runs at once, if nobody moved them first.
    func pipelineRunTransition(_ transition: RunTransition) throws -> Bool
    /// Writes a block run of a run `owner` holds running, if the block run is still in `from`.
    func blockRunTransition(_ update: BlockRunUpdate, from: BlockRunStatus, owner: String) throws -> Bool
    /// Asks the run's owner to cancel it (the owner acts on it when it renews its lease); false when the
    /// run is finished already.
    func pipelineRunRequestCancel(id: Int64) throws -> Bool
    /// Runs `running` whose lease ran out before `at` (or that have no owner: written before leases
    /// existed), oldest first.
    func pipelineRunsLeaseExpired(at: Date, limit: Int) throws -> [PipelineRun]

    // Triggers (Mage's pipeline schedules), and the runs the scheduler creates from them.

    /// Stores a new trigger; `StoreConflict` when its pipeline already has a trigger of that name.
    func scheduleCreate(_ definition: ScheduleDefinition, at: Date) throws -> PipelineSchedule
    func scheduleGet(id: Int64) throws -> PipelineSchedule?
    /// By pipeline, then name; one pipeline's when `pipeline` is set.
    func scheduleList(pipeline: String?) throws -> [PipelineSchedule]
    /// Replaces a trigger's definition (its pipeline stays); nil when no such trigger. `StoreConflict`
    /// when the new name is taken.
    func scheduleUpdate(id: Int64, _ definition: ScheduleDefinition, at: Date) throws -> PipelineSchedule?
    /// Deletes a trigger; its runs keep its id. False when no such trigger.
    func scheduleDelete(id: Int64) throws -> Bool
    /// Makes the store hold one pipeline's file triggers, in one transaction: new ones are created, those
    /// whose entry in the file changed (or were defined through the API under that name) replaced, and
    /// file triggers gone from the file deleted, except those named in `refused` (kept as they were,
    /// while their entry in the file is wrong). Unchanged ones keep edits made through the API.
    func scheduleSyncFile(pipeline: String, _ definitions: [ScheduleDefinition], refused: Set<String>,
                          at: Date) throws -> ScheduleSyncReport
    /// Sets (or, with nil, removes) the digest and hint of a trigger's API token; false when no such trigger.
    func scheduleSetToken(id: Int64, digest: String?, hint: String?) throws -> Bool
    /// Moves a trigger's cursor and creates its tick's run, in one transaction. Nil when no run was
    /// created: none asked, or its trigger has one for that execution date already.
    func scheduleTick(_ tick: ScheduleTick) throws -> PipelineRun?
    /// Stamps `sla_missed_at` on runs whose SLA passed before `at` without their completing in time;
    /// returns the runs stamped now.
    func pipelineRunsMarkSLAMissed(at: Date) throws -> [PipelineRun]

    func blockRunList(pipelineRunID: Int64) throws -> [BlockRun]
    func blockRunGet(id: Int64) throws -> BlockRun?
    /// The block runs of each of these runs summed up, in one query (for a page of runs).
    func blockRunSummaries(pipelineRunIDs: [Int64]) throws -> [Int64: BlockRunSummary]
    /// The newest completed run of a block, for running one block on its upstreams' last outputs.
    func blockRunLatestCompleted(pipeline: String, block: String) throws -> BlockRun?

    /// Replaces the plugin records with what discovery found now.
    func pluginRecordsReplace(_ records: [PluginRecord]) throws
    func pluginRecordList() throws -> [PluginRecord]

    /// The code a run executed (git state, plugin libraries), recorded when it starts.
    func pipelineRunSetCode(id: Int64, code: CodeLineage) throws
    func pipelineRunCode(id: Int64) throws -> CodeLineage?

    /// Inserts a dataset version under the first free id among `base`, `base_2`, `base_3`, …
    func datasetVersionCreate(_ version: DatasetVersion, base: String) throws -> DatasetVersion
    /// Newest first; only those of one run when `pipelineRunID` is set.
    func datasetVersionList(pipelineRunID: Int64?, limit: Int) throws -> [DatasetVersion]

    /// Inserts a model version under the first free id among `base`, `base_2`, `base_3`, …; its `path`
    /// names the folder that holds versions, and the id is appended to it.
    func modelVersionCreate(_ version: ModelVersion, base: String) throws -> ModelVersion
    func modelVersionGet(_ version: String) throws -> ModelVersion?
    /// Newest first; only those of one run when `pipelineRunID` is set.
    func modelVersionList(pipelineRunID: Int64?, limit: Int) throws -> [ModelVersion]
    /// Marks one version deployed, puts any other deployed version back to registered and appends the
    /// `deploy` event, in one transaction: the deployment is recorded whole or not at all. The database
    /// refuses a second deployed version (a unique index).
    func modelVersionSetDeployed(_ version: String, at: Date) throws

    /// Moves the registry's latest pointer to `event.version` and appends the event, in one transaction,
    /// if latest still names `event.previous` (nil: latest names nothing yet). False, with nothing
    /// written, when another move came first: `previous` is then read again, or the move given up.
    func registryPointerMove(_ event: RegistryEvent) throws -> Bool
    /// The history of the registry's latest pointer and its deployments, oldest first.
    func registryEventList() throws -> [RegistryEvent]

    /// Appends prediction records in one transaction (the prediction service's audit log, in batches).
    func predictionAppend(_ records: [PredictionRecord]) throws
    /// Appends one record and returns how many records of its source and model version exist after it,
    /// in one transaction: concurrent callers get distinct counts.
    func predictionAppendCounting(_ record: PredictionRecord) throws -> Int
    /// The records of one source and model version, oldest first: the newest `limit` of them.
    func predictionList(modelVersion: String, source: PredictionRecord.Source, limit: Int) throws -> [PredictionRecord]
    /// How many records of one source and model version, and when the newest was made.
    func predictionSummary(modelVersion: String, source: PredictionRecord.Source) throws -> PredictionSummary
}

/// One prediction, as the prediction service records it: served (`predict`, the audit log) or reported
/// by a client (`logged`, `POST /log-prediction`).
public struct PredictionRecord: Sendable, Codable, Equatable {
    public enum Source: String, Sendable, Codable {
        case predict, logged
    }

    public var source: Source
    public var requestID: String?
    public var modelVersion: String
    /// JSON text.
    public var inputs: String
    /// JSON text.
    public var outputs: String
    public var latencyMilliseconds: Double?
    public var userID: String?
    public var at: Date

    public init(source: Source, requestID: String?, modelVersion: String, inputs: String, outputs: String,
                latencyMilliseconds: Double?, userID: String?, at: Date) {
        self.source = source
        self.requestID = requestID
        self.modelVersion = modelVersion
        self.inputs = inputs
        self.outputs = outputs
        self.latencyMilliseconds = latencyMilliseconds
        self.userID = userID
        self.at = at
    }
}

public struct PredictionSummary: Sendable, Equatable {
    public var count: Int
    public var last: Date?

    public init(count: Int, last: Date?) {
        self.count = count
        self.last = last
    }
}

/// One change of the registry's latest pointer (or a deployment).
public struct RegistryEvent: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable {
        case register, promote, rollback, deploy
    }

    public var action: Action
    public var version: String
    /// What latest pointed to before, for register, promote and rollback.
    public var previous: String?
    public var at: Date

    public init(action: Action, version: String, previous: String?, at: Date) {
        self.action = action
        self.version = version
        self.previous = previous
        self.at = at
    }
}

public struct PipelineRunCreateParams: Sendable {
    public var pipeline: String
    public var variables: [String: ConfigValue]
    public var blocks: [String]
    /// Run it again, rather than fail it, when its host process stops (`retry_on_host_failure`).
    public var retryOnHostFailure: Bool
    /// Created already claimed: its creator runs it (`mage run`).
    public var lease: Lease?
    /// The trigger that asked for it, when one did.
    public var trigger: RunTrigger?
    public var createdAt: Date

    public init(pipeline: String, variables: [String: ConfigValue], blocks: [String], retryOnHostFailure: Bool = false,
                lease: Lease? = nil, trigger: RunTrigger? = nil, createdAt: Date = Date()) {
        self.pipeline = pipeline
        self.variables = variables
        self.blocks = blocks
        self.retryOnHostFailure = retryOnHostFailure
        self.lease = lease
        self.trigger = trigger
        self.createdAt = createdAt
    }
}

/// A run's block runs summed up: how many are in each status, and when the first one started.
public struct BlockRunSummary: Sendable, Equatable {
    public var counts: [BlockRunStatus: Int]
    public var firstStartedAt: Date?

    public init(counts: [BlockRunStatus: Int] = [:], firstStartedAt: Date? = nil) {
        self.counts = counts
        self.firstStartedAt = firstStartedAt
    }
}

/// Which runs a list selects: all of them by default.
public struct PipelineRunFilter: Sendable, Equatable {
    public var pipeline: String?
    /// Empty: any status.
    public var statuses: Set<PipelineRunStatus>
    /// Only the runs of one trigger.
    public var scheduleID: Int64?

    public init(pipeline: String? = nil, statuses: Set<PipelineRunStatus> = [], scheduleID: Int64? = nil) {
        self.pipeline = pipeline
        self.statuses = statuses
        self.scheduleID = scheduleID
    }
}

public struct PipelineRun: Sendable, Codable, Equatable {
    public var id: Int64
    public var pipeline: String
    public var status: PipelineRunStatus
    public var variables: [String: ConfigValue]
    public var createdAt: Date
    /// When a dispatcher first claimed it.
    public var startedAt: Date?
    public var completedAt: Date?
    /// The dispatcher that holds it (or last held it), and until when.
    public var owner: String?
    public var leaseExpiresAt: Date?
    public var cancelRequested: Bool
    public var retryOnHostFailure: Bool
    /// How many times its host process stopped under it.
    public var hostFailures: Int
    /// The trigger that created it; nil for runs started by hand.
    public var trigger: RunTrigger? = nil
    /// When the scheduler found it had not completed by its SLA.
    public var slaMissedAt: Date? = nil
    /// When it was stopped for running past its trigger's timeout.
    public var timedOutAt: Date? = nil
}

public struct BlockRun: Sendable, Codable, Equatable {
    public var id: Int64
    public var pipelineRunID: Int64
    public var block: String
    public var status: BlockRunStatus
    public var attempts: Int
    public var startedAt: Date?
    public var completedAt: Date?
    public var error: String?
    public var logPath: String?
    public var outputPath: String?
    /// Facets the plugin reported, name → JSON object text.
    public var facets: [String: String]
    /// A block run waiting to retry: not before this instant.
    public var nextAttemptAt: Date?
}

/// A write to one block run. Nil fields are left as they are, except `nextAttemptAt`, which is cleared.
public struct BlockRunUpdate: Sendable {
    public var pipelineRunID: Int64
    public var block: String
    public var status: BlockRunStatus
    public var attempts: Int?
    public var startedAt: Date?
    public var completedAt: Date?
    public var error: String?
    public var logPath: String?
    public var outputPath: String?
    public var facets: [String: String]?
    public var nextAttemptAt: Date?

    public init(pipelineRunID: Int64, block: String, status: BlockRunStatus, attempts: Int? = nil,
                startedAt: Date? = nil, completedAt: Date? = nil, error: String? = nil, logPath: String? = nil,
                outputPath: String? = nil, facets: [String: String]? = nil, nextAttemptAt: Date? = nil) {
        self.pipelineRunID = pipelineRunID
        self.block = block
        self.status = status
        self.attempts = attempts
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.error = error
        self.logPath = logPath
        self.outputPath = outputPath
        self.facets = facets
        self.nextAttemptAt = nextAttemptAt
    }
}

public struct PluginRecord: Sendable, Codable, Equatable {
    public var path: String
    public var sha256: String?
    public var name: String?
    public var version: String?
    public var abiVersion: String?
    /// Why discovery refused the library; nil when it loaded.
    public var refusedReason: String?
    public var seenAt: Date

    public init(path: String, sha256: String?, name: String?, version: String?, abiVersion: String?,
                refusedReason: String?, seenAt: Date) {
        self.path = path
        self.sha256 = sha256
        self.name = name
        self.version = version
        self.abiVersion = abiVersion
        self.refusedReason = refusedReason
        self.seenAt = seenAt
    }
}
