/// A validated pipeline: blocks whose plugins exist, whose configuration matches the plugin's keys, and
/// whose dependencies form a DAG.
public struct Pipeline: Sendable {
    public let uuid: String
    public let name: String
    public let file: String
    /// The pipeline's variables with runtime values applied: what this run's configuration used, as it may
    /// be recorded (a variable that feeds a secret key reads "********").
    public let variables: [String: ConfigValue]
    /// Blocks in a topological order (upstream before downstream, ties in file order).
    public let blocks: [Block]
    /// The variables the file declares, with their defaults (masked like `variables`).
    public var declaredVariables: [String: ConfigValue] = [:]
    /// Run it again, rather than fail it, when the process running it stops (`retry_on_host_failure`).
    public var retryOnHostFailure = false

    public func block(_ uuid: String) -> Block? { blocks.first { $0.uuid == uuid } }

    /// Every block that depends on `uuid`, directly or not.
    public func downstream(of uuid: String) -> Set<String> {
        var result = Set<String>()
        var frontier = [uuid]
        while let current = frontier.popLast() {
            for block in blocks where block.upstream.contains(current) && result.insert(block.uuid).inserted {
                frontier.append(block.uuid)
            }
        }
        return result
    }
}

public struct Block: Sendable {
    public let uuid: String
    public let name: String
    public let type: BlockType
    public let kind: BlockKind
    /// Upstream block uuids, in the order their tables reach the plugin.
    public let upstream: [String]
    /// Values with runtime variables substituted and paths resolved; secret ones in clear, in memory only.
    public let configuration: [String: ConfigValue]
    /// Keys whose values are secret (declared so, or fed by a secret runtime variable).
    public let sensitiveKeys: Set<String>
    public let retry: RetryPolicy
    /// Seconds before the block is killed; nil waits forever.
    public let timeout: Double?
    public let isolation: Isolation
}
