import Foundation

/// Reads a pipeline's metadata.yaml and validates it against the loaded plugins. Every problem is
/// collected and reported together, each naming the file, the block and what is wrong.
public struct PipelineLoader {
    public let project: Project
    public let catalog: PluginCatalog

    public init(project: Project, catalog: PluginCatalog) {
        self.project = project
        self.catalog = catalog
    }

    public func load(_ uuid: String, variables: [String: ConfigValue] = [:]) throws -> Pipeline {
        guard Self.isSafeIdentifier(uuid) else {
            throw MageError.usage("'\(uuid)' is not a valid pipeline uuid (letters, digits, '_', '-', '.')")
        }
        let url = project.pipelineFile(uuid)
        let file = "pipelines/\(uuid)/metadata.yaml"
        guard FileManager.default.fileExists(atPath: url.path) else {
            let known = project.pipelineUUIDs().joined(separator: ", ")
            throw MageError.usage("no pipeline '\(uuid)' in \(project.root.path) (pipelines: \(known.isEmpty ? "none" : known))")
        }
        let parsed: PipelineFile
        do {
            parsed = try PipelineFile(ProjectFileReader.parse(ProjectFileReader.text(of: url)))
        } catch {
            throw MageError.invalidPipeline([ValidationProblem(file: file, block: nil, message: "cannot parse: \(Self.describe(error))")])
        }
        return try validate(parsed, uuid: uuid, file: file, variables: variables)
    }

    func validate(_ parsed: PipelineFile, uuid: String, file: String,
                  variables: [String: ConfigValue]) throws -> Pipeline {
        let variables = (parsed.variables ?? [:]).merging(variables) { _, runtime in runtime }
        var problems: [ValidationProblem] = []
        func problem(_ block: String?, _ message: String) {
            problems.append(ValidationProblem(file: file, block: block, message: message))
        }
        let entries = parsed.blocks ?? []
        if entries.isEmpty { problem(nil, "the pipeline has no blocks") }

        var seen = Set<String>()
        var uuids: [String] = []
        for (index, entry) in entries.enumerated() {
            guard let id = entry.uuid, Self.isSafeIdentifier(id) else {
                problem(nil, "block #\(index + 1) needs a uuid of letters, digits, '_', '-' or '.'"); continue
            }
            if !seen.insert(id).inserted { problem(id, "the uuid is used by more than one block") }
            uuids.append(id)
        }
        let known = Set(uuids)

        // Edges come from both lists, as Mage writes both; a name must exist wherever it appears. Inputs
        // reach a plugin in upstream_blocks order, then any edge only a downstream_blocks list implies.
        var upstream: [String: [String]] = [:]
        for entry in entries {
            guard let id = entry.uuid, known.contains(id) else { continue }
            for up in entry.upstream_blocks ?? [] {
                if !known.contains(up) { problem(id, "upstream block '\(up)' does not exist") }
                else if !(upstream[id] ?? []).contains(up) { upstream[id, default: []].append(up) }
            }
        }
        for entry in entries {
            guard let id = entry.uuid, known.contains(id) else { continue }
            for down in entry.downstream_blocks ?? [] {
                if !known.contains(down) { problem(id, "downstream block '\(down)' does not exist") }
                else if !(upstream[down] ?? []).contains(id) { upstream[down, default: []].append(id) }
            }
        }
        if let cycle = Self.findCycle(nodes: uuids, upstream: upstream) {
            problem(nil, "the blocks form a cycle: \(cycle.joined(separator: " → "))")
        }

        // A runtime variable that feeds a secret key is a secret too, and so is every value that uses it.
        var secretVariables = Set<String>()
        for entry in entries {
            guard let plugin = entry.plugin, let kind = catalog.blockKinds[plugin] else { continue }
            for spec in kind.configKeys where spec.secret {
                secretVariables.formUnion(entry.configuration?[spec.name]?.variableReferences ?? [])
            }
        }
        let paths: ProjectPaths
        do { paths = try ProjectPaths(project: project) }
        catch { throw MageError.invalidProject("\(project.root.path)/metadata.yaml: allowed_paths: \(error)") }

        var blocks: [String: Block] = [:]
        for entry in entries {
            guard let id = entry.uuid, known.contains(id), blocks[id] == nil else { continue }
            let problemsBefore = problems.count
            guard let typeName = entry.type else { problem(id, "missing 'type'"); continue }
            guard let type = BlockType(rawValue: typeName) else {
                problem(id, "unknown type '\(typeName)' (known: \(BlockType.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            guard let pluginName = entry.plugin else {
                problem(id, "missing 'plugin': the block kind that implements it"); continue
            }
            guard let kind = catalog.blockKinds[pluginName] else {
                problem(id, catalog.unknownBlockKindProblem(pluginName)); continue
            }
            if kind.type != type {
                problem(id, "block kind '\(pluginName)' is a \(kind.type.rawValue), but the block's type is \(type.rawValue)")
            }
            let specs = Dictionary(kind.configKeys.map { ($0.name, $0) }) { first, _ in first }
            var configuration: [String: ConfigValue] = [:]
            var sensitive = Set<String>()
            for (key, raw) in entry.configuration ?? [:] {
                if specs[key]?.secret == true || !raw.variableReferences.isDisjoint(with: secretVariables) {
                    sensitive.insert(key)
                }
                var value: ConfigValue
                do { value = try raw.resolvingVariables(variables) }
                catch { problem(id, "configuration key '\(key)': \(error)"); continue }
                // A path with an env_var template is checked in the block process, once it is known.
                if specs[key]?.path == true, case .string(let path) = value, !path.contains("{{") {
                    do { value = .string(try paths.resolve(path, key: key)) }
                    catch { problem(id, "\(error)") }
                }
                configuration[key] = value
            }
            for message in Self.configurationProblems(configuration, kind: kind, sensitive: sensitive) { problem(id, message) }
            let retry = entry.retry_config ?? .none
            if retry.retries < 0 || retry.delay < 0 || (retry.max_delay ?? 0) < 0 {
                problem(id, "retry_config values must not be negative")
            }
            if let timeout = entry.timeout, !(timeout > 0) {
                problem(id, "timeout must be a positive number of seconds, got \(timeout)")
            }
            guard problems.count == problemsBefore else { continue }
            blocks[id] = Block(
                uuid: id, name: entry.name ?? id, type: type, kind: kind, upstream: upstream[id] ?? [],
                configuration: configuration, sensitiveKeys: sensitive, retry: retry, timeout: entry.timeout,
                isolation: entry.isolation ?? parsed.isolation ?? .process)
        }
        guard problems.isEmpty else { throw MageError.invalidPipeline(problems) }
        let ordered = Self.topologicalOrder(nodes: uuids, upstream: upstream).compactMap { blocks[$0] }
        var recorded = variables
        for name in secretVariables where recorded[name] != nil { recorded[name] = .string(Secrets.mask) }
        var pipeline = Pipeline(uuid: uuid, name: parsed.name ?? uuid, file: file, variables: recorded, blocks: ordered)
        pipeline.retryOnHostFailure = parsed.retry_on_host_failure ?? false
        pipeline.declaredVariables = (parsed.variables ?? [:]).mapValues { $0 }
        for name in secretVariables where pipeline.declaredVariables[name] != nil { pipeline.declaredVariables[name] = .string(Secrets.mask) }
        return pipeline
    }

    static func configurationProblems(_ configuration: [String: ConfigValue], kind: BlockKind,
                                      sensitive: Set<String> = []) -> [String] {
        var problems: [String] = []
        let specs = Dictionary(uniqueKeysWithValues: kind.configKeys.map { ($0.name, $0) })
        for (key, value) in configuration.sorted(by: { $0.key < $1.key }) {
            guard let spec = specs[key] else {
                let accepted = kind.configKeys.map(\.name).joined(separator: ", ")
                problems.append("unknown configuration key '\(key)' for '\(kind.name)' (accepted: \(accepted.isEmpty ? "none" : accepted))")
                continue
            }
            if value != .null && !spec.type.accepts(value) {
                let shown = sensitive.contains(key) ? Secrets.mask : value.jsonText
                problems.append("configuration key '\(key)' must be \(spec.type.rawValue), got \(value.typeName) \(shown)")
            }
        }
        for spec in kind.configKeys where spec.required && (configuration[spec.name] ?? .null) == .null {
            problems.append("missing required configuration key '\(spec.name)' (\(spec.type.rawValue)): \(spec.description)")
        }
        return problems
    }

    /// The names the project accepts for pipelines, blocks and versions: no separator, no `..`, no NUL.
    public static func isSafeIdentifier(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 128 && s != "." && s != ".."
            && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }
    }

    /// Kahn's algorithm; ties keep file order so runs are reproducible.
    static func topologicalOrder(nodes: [String], upstream: [String: [String]]) -> [String] {
        var remaining = Dictionary(uniqueKeysWithValues: nodes.map { ($0, Set(upstream[$0] ?? [])) })
        var order: [String] = []
        while let next = nodes.first(where: { remaining[$0]?.isEmpty == true }) {
            order.append(next)
            remaining[next] = nil
            for key in remaining.keys { remaining[key]?.remove(next) }
        }
        return order
    }

    /// One cycle as a path that returns to its start, or nil for a DAG.
    static func findCycle(nodes: [String], upstream: [String: [String]]) -> [String]? {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var stack: [String] = []
        func visit(_ node: String) -> [String]? {
            if marks[node] == .done { return nil }
            if marks[node] == .visiting {
                let start = stack.firstIndex(of: node)!
                return Array(stack[start...]) + [node]
            }
            marks[node] = .visiting
            stack.append(node)
            for up in upstream[node] ?? [] {
                if let cycle = visit(up) { return cycle }
            }
            stack.removeLast()
            marks[node] = .done
            return nil
        }
        for node in nodes {
            if let cycle = visit(node) { return Array(cycle.reversed()) }
        }
        return nil
    }

    static func describe(_ error: Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .typeMismatch(let type, let ctx), .valueNotFound(let type, let ctx):
                return "\(ctx.codingPath.map(\.stringValue).joined(separator: ".")): expected \(type)"
            case .keyNotFound(let key, let ctx):
                return "\((ctx.codingPath + [key]).map(\.stringValue).joined(separator: ".")): missing"
            case .dataCorrupted(let ctx):
                return "\(ctx.codingPath.map(\.stringValue).joined(separator: ".")): \(ctx.debugDescription)"
            @unknown default:
                return "\(error)"
            }
        }
        return "\(error)"
    }
}
