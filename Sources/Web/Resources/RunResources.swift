import Foundation
import MageHost

/// A pipeline run in Mage's field names, with its block-run counts (and its block runs when one run is read).
struct PipelineRunResource: Encodable {
    var id: Int64
    var pipeline_uuid: String
    /// Runs started by a trigger name it; nil for runs started by hand.
    var pipeline_schedule_id: Int64?
    var status: String
    var variables: [String: ConfigValue]
    var created_at: Date
    /// The tick its trigger ran it for; nil for a run started by hand or through the trigger's API.
    var execution_date: Date?
    /// When the scheduler found it had not completed within its trigger's SLA.
    var sla_missed_at: Date?
    /// When it was stopped for running past its trigger's timeout.
    var timed_out_at: Date?
    /// When a dispatcher first claimed it (else when its first block started); nil before.
    var started_at: Date?
    var completed_at: Date?
    /// The dispatcher that holds it, or last held it.
    var owner: String?
    /// Someone asked to cancel it; its owner acts on it within a second.
    var cancel_requested: Bool
    /// How many times the process running it stopped under it (each rescued by another).
    var host_failures: Int
    var block_runs_count: Int
    var completed_block_runs_count: Int
    /// How many block runs are in each status.
    var block_run_statuses: [String: Int]
    var block_runs: [BlockRunResource]?

    init(_ run: PipelineRun, summary: BlockRunSummary, blockRuns: [BlockRun]? = nil) {
        let statusCounts = summary.counts
        id = run.id
        pipeline_uuid = run.pipeline
        pipeline_schedule_id = run.trigger?.scheduleID
        status = run.status.rawValue
        variables = run.variables
        created_at = run.createdAt
        execution_date = run.trigger?.executionDate
        sla_missed_at = run.slaMissedAt
        timed_out_at = run.timedOutAt
        started_at = run.startedAt ?? summary.firstStartedAt
        completed_at = run.completedAt
        owner = run.owner
        cancel_requested = run.cancelRequested
        host_failures = run.hostFailures
        block_runs_count = statusCounts.values.reduce(0, +)
        completed_block_runs_count = statusCounts[.completed] ?? 0
        block_run_statuses = Dictionary(uniqueKeysWithValues: statusCounts.map { ($0.key.rawValue, $0.value) })
        block_runs = blockRuns?.map(BlockRunResource.init)
    }

    init(_ run: PipelineRun, blockRuns: [BlockRun]) {
        self.init(run, summary: BlockRunSummary(counts: Dictionary(grouping: blockRuns, by: \.status).mapValues(\.count),
                                                firstStartedAt: blockRuns.compactMap(\.startedAt).min()),
                  blockRuns: blockRuns)
    }
}

/// One block of one run: status, attempts, timings and the reason it failed.
struct BlockRunResource: Encodable {
    var id: Int64
    var pipeline_run_id: Int64
    var block_uuid: String
    var status: String
    var attempts: Int
    var started_at: Date?
    var completed_at: Date?
    var duration_seconds: Double?
    /// Why it failed, as the host recorded it (a plugin's message, a signal, a timeout).
    var error: String?
    /// Facets the plugin reported, name → JSON object text.
    var facets: [String: String]
    /// A retry waiting for its time: not before this instant.
    var next_attempt_at: Date?

    init(_ run: BlockRun) {
        id = run.id
        pipeline_run_id = run.pipelineRunID
        block_uuid = run.block
        status = run.status.rawValue
        attempts = run.attempts
        started_at = run.startedAt
        completed_at = run.completedAt
        duration_seconds = run.startedAt.flatMap { start in run.completedAt.map { $0.timeIntervalSince(start) } }
        error = run.error
        facets = run.facets
        next_attempt_at = run.nextAttemptAt
    }
}
