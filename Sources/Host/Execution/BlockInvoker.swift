import Foundation
import PluginAPI

/// Runs one attempt of a block in this process: reads its inputs, calls the plugin through the ABI and
/// writes its output table. Errors become a failed `BlockResult`, never a thrown error, so the caller
/// records them the same way whichever process ran the block.
public enum BlockInvoker {
    /// `secrets` are the values `invocation.json` masks (see `Secrets`); every text the block reports
    /// back (log lines, its error, facets) has the secret values masked again.
    public static func invoke(_ invocation: BlockInvocation, secrets: [String: ConfigValue] = [:], catalog: PluginCatalog,
                              store: (any MetadataStore)?, log: BlockLog) -> BlockResult {
        var redactor = SecretRedactor(Array(secrets.values))
        do {
            let configuration = try Self.configuration(invocation, secrets: secrets, catalog: catalog)
            redactor = SecretRedactor(invocation.secretKeys.compactMap { configuration[$0] })
            return try run(invocation, configuration: configuration, catalog: catalog, store: store, log: log, redactor: redactor)
        } catch {
            let message = redactor.redact("\(error)")
            log.write(.error, message)
            return .failure(message)
        }
    }

    /// The configuration as the plugin sees it: secret values back in, env_var templates resolved from
    /// this process's environment, paths resolved and checked against the project.
    static func configuration(_ invocation: BlockInvocation, secrets: [String: ConfigValue],
                              catalog: PluginCatalog) throws -> [String: ConfigValue] {
        let kind = try catalog.blockKind(named: invocation.blockKind)
        var configuration = invocation.configuration.merging(secrets) { _, secret in secret }
        let environment = ProcessInfo.processInfo.environment
        for (key, value) in configuration {
            do { configuration[key] = try value.resolvingEnvironment(environment) }
            catch { throw MageError.usage("configuration key '\(key)': \(error)") }
        }
        let pathKeys = kind.configKeys.filter(\.path)
        guard !pathKeys.isEmpty else { return configuration }
        let paths = try ProjectPaths(project: Project(root: URL(fileURLWithPath: invocation.projectRoot)))
        for spec in pathKeys {
            guard case .string(let path) = configuration[spec.name] else { continue }
            configuration[spec.name] = .string(try paths.resolve(path, key: spec.name))
        }
        return configuration
    }

    private static func run(_ invocation: BlockInvocation, configuration: [String: ConfigValue], catalog: PluginCatalog,
                            store: (any MetadataStore)?, log: BlockLog, redactor: SecretRedactor) throws -> BlockResult {
        let kind = try catalog.blockKind(named: invocation.blockKind)
        try FileManager.default.createDirectory(atPath: invocation.artifactDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: RunFolder.folderPermissions])
        let inputs = try invocation.inputDirectories.map { directory in
            try directory.map { try TableFile.read(from: URL(fileURLWithPath: $0)) } ?? Table(columns: [])
        }
        let context = BlockContext(
            blockUUID: invocation.block, configuration: configuration,
            artifactDirectory: invocation.artifactDirectory, functions: catalog.functions,
            run: try store.map { store in
                RunServices(project: try Project(root: URL(fileURLWithPath: invocation.projectRoot)), store: store,
                            catalog: catalog, pipeline: invocation.pipeline, runID: invocation.runID, block: invocation.block)
            },
            log: { level, message in log.write(level, redactor.redact(message)) })

        let arrowInputs = UnsafeMutablePointer<mage_table>.allocate(capacity: max(1, inputs.count))
        for (i, table) in inputs.enumerated() { table.exportArrow(into: arrowInputs + i) }
        defer {
            for i in 0..<inputs.count {
                (arrowInputs + i).pointee.schema.release?(&(arrowInputs + i).pointee.schema)
                (arrowInputs + i).pointee.array.release?(&(arrowInputs + i).pointee.array)
            }
            arrowInputs.deallocate()
        }
        var output = mage_table()
        let code: Int32
        if kind.type == .model {
            guard inputs.count == 1 else {
                return .failure("a model block trains on exactly one upstream table, got \(inputs.count)")
            }
            let params = ConfigValue.map(configuration).jsonText
            code = ModelTrainer.train(kind, context: context, table: inputs[0], arrow: arrowInputs, params: params,
                                      artifactDirectory: invocation.artifactDirectory)
        } else {
            code = kind.functions.run!(context.cPointer, arrowInputs, inputs.count, &output)
        }
        let facets = redactor.isEmpty ? context.facets : context.facets.mapValues(redactor.redact)
        guard code == MAGE_OK else {
            if output.array.release != nil { output.array.release(&output.array) }
            if output.schema.release != nil { output.schema.release(&output.schema) }
            let message = redactor.redact(context.errorMessage ?? "the plugin returned code \(code) without a message")
            log.write(.error, message)
            return BlockResult(succeeded: false, error: message, rows: nil, columns: nil, facets: facets)
        }
        guard output.array.release != nil else {
            return BlockResult(succeeded: true, error: nil, rows: nil, columns: nil, facets: facets)
        }
        defer {
            output.array.release(&output.array)
            if output.schema.release != nil { output.schema.release(&output.schema) }
        }
        let table = try withUnsafePointer(to: &output) { try Table(arrow: $0) }
        try TableFile.write(table, to: URL(fileURLWithPath: invocation.runDirectory))
        log.write(.info, "output: \(table.rowCount) rows × \(table.columns.count) columns")
        return BlockResult(succeeded: true, error: nil, rows: table.rowCount, columns: table.columns.count, facets: facets)
    }
}
