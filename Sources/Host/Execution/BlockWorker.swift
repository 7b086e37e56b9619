import Foundation

/// The child side of process isolation: `mage __execute-block --parent-pid <pid> <invocation.json>`.
/// Loads the plugins, runs the block and writes `result.json`. A plugin crash ends this process, which
/// the parent reports; the parent's death ends it too (`ParentDeath`).
public enum BlockWorker {
    /// Exit code of a block process whose parent died before it could bind to it.
    public static let orphanedExitCode: Int32 = 3

    public static func main(invocationPath: String, parentPID: pid_t?) -> Int32 {
        let log = BlockLog(fd: 2)
        if let parentPID, !ParentDeath.bind(to: parentPID) {
            log.write(.error, "the mage process \(parentPID) that started this block is gone; exiting without running it")
            return orphanedExitCode
        }
        let invocation: BlockInvocation
        do {
            invocation = try JSON.decode(BlockInvocation.self, from: Data(contentsOf: URL(fileURLWithPath: invocationPath)))
        } catch {
            log.write(.error, "cannot read \(invocationPath): \(error)")
            return 2
        }
        // Secret values come in memory only; no plugin, and nothing a plugin starts, sees the variable.
        var secrets: [String: ConfigValue] = [:]
        if let text = getenv(Secrets.environmentVariable).map({ String(cString: $0) }) {
            unsetenv(Secrets.environmentVariable)
            guard let decoded = try? JSON.decode([String: ConfigValue].self, from: Data(text.utf8)) else {
                log.write(.error, "the secret configuration handed over in \(Secrets.environmentVariable) is not a JSON object")
                return 2
            }
            secrets = decoded
        }
        // Relative paths in block configuration mean the project's own files.
        FileManager.default.changeCurrentDirectoryPath(invocation.projectRoot)
        let catalog = PluginCatalog(directories: invocation.pluginDirectories.map { URL(fileURLWithPath: $0) },
                                    hashFiles: false)
        // The child opens the project's store itself: a plugin may ask for lineage or the registry.
        let store: (any MetadataStore)?
        do {
            store = try Project(root: URL(fileURLWithPath: invocation.projectRoot)).openStore()
        } catch {
            log.write(.warning, "cannot open the project's store, so lineage and registry services are off: \(MageError.describe(error))")
            store = nil
        }
        let result = BlockInvoker.invoke(invocation, secrets: secrets, catalog: catalog, store: store, log: log)
        do {
            try AtomicFile.write(try JSON.encode(result), to: invocation.resultFile, permissions: RunFolder.filePermissions)
        } catch {
            log.write(.error, "cannot write \(invocation.resultFile.path): \(error)")
            return 2
        }
        return result.succeeded ? 0 : 1
    }
}
