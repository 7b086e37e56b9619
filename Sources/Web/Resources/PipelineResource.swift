import Foundation
import MageHost

/// A pipeline as the API shows it: Mage's block fields, the DAG both ways, and the last run's status of
/// each block (what the UI colours it by). Secret configuration values read "********".
struct PipelineResource: Encodable {
    struct BlockResource: Encodable {
        var uuid: String
        var name: String
        var type: String
        var plugin: String
        /// The block's status in the pipeline's newest run; nil before its first run.
        var status: String?
        var upstream_blocks: [String]
        var downstream_blocks: [String]
        var configuration: [String: ConfigValue]
        var retry_config: RetryPolicy
        var timeout: Double?
        var isolation: String
    }

    struct Problem: Encodable {
        var block: String?
        var message: String
    }

    var uuid: String
    var name: String
    var file: String
    var variables: [String: ConfigValue]
    /// In a topological order: upstream before downstream.
    var blocks: [BlockResource]
    /// Why the pipeline cannot run (an unknown plugin, a cycle, a bad key); empty when it is valid.
    var errors: [Problem]
    var last_run_id: Int64?

    init(_ pipeline: Pipeline, lastRun: PipelineRun?, lastBlockRuns: [BlockRun]) {
        uuid = pipeline.uuid
        name = pipeline.name
        file = pipeline.file
        variables = pipeline.variables
        let statuses = Dictionary(lastBlockRuns.map { ($0.block, $0.status.rawValue) }) { first, _ in first }
        blocks = pipeline.blocks.map { block in
            BlockResource(
                uuid: block.uuid, name: block.name, type: block.type.rawValue, plugin: block.kind.name,
                status: statuses[block.uuid], upstream_blocks: block.upstream,
                downstream_blocks: pipeline.blocks.filter { $0.upstream.contains(block.uuid) }.map(\.uuid),
                configuration: block.configuration.reduce(into: [:]) { shown, entry in
                    shown[entry.key] = block.sensitiveKeys.contains(entry.key) ? .string(Secrets.mask) : entry.value
                },
                retry_config: block.retry, timeout: block.timeout, isolation: block.isolation.rawValue)
        }
        errors = []
        last_run_id = lastRun?.id
    }

    /// A pipeline whose file does not validate: listed with its problems so the UI can show them.
    init(invalid uuid: String, file: String, problems: [ValidationProblem]) {
        self.uuid = uuid
        name = uuid
        self.file = file
        variables = [:]
        blocks = []
        errors = problems.map { Problem(block: $0.block, message: $0.message) }
        last_run_id = nil
    }
}
