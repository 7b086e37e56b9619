import Foundation

/// How the registry's files follow its records in the store, whatever instant a process was killed at.
///
/// The store is the truth and commits each move in one transaction: a pointer move is its
/// `registry_events` row, a deployment is the version's status with its `deploy` event. The files are
/// published from the store afterwards: `latest.json` names the version of the last pointer event,
/// `deployment_status.json` the deployed version, each `metadata.json` its row's status. A process
/// killed between the two leaves files that lag behind; the next move, under the registry lock, first
/// publishes them again and removes what a killed write left (staging folders, temporary files).
extension ModelRegistry {
    /// Returns what it had to repair, one line each (nothing when the files already agreed).
    func reconcileUnderLock() throws -> [String] {
        var repairs = try removeLeftovers().map { "removed \($0), left by a write that never finished" }
        let events = try store.registryEventList()
        if let last = events.last(where: { $0.action != .deploy }) {
            let named = (try? latest())??.version
            if named != last.version {
                try publishPointer(last)
                repairs.append("latest.json named \(named ?? "nothing"); it now names \(last.version), as the last \(last.action.rawValue) recorded")
            }
        } else if FileManager.default.fileExists(atPath: latestFile.path) {
            // A pointer with no move recorded: the move that wrote it never committed.
            try FileManager.default.removeItem(at: latestFile)
            RegistryMoves.post(registry: root)
            repairs.append("removed latest.json, which no recorded move wrote")
        }
        repairs += try publishDeployment().map { "rewrote \($0) from the store" }
        return repairs
    }

    /// Writes `latest.json` for a pointer event, and tells whoever follows it.
    func publishPointer(_ event: RegistryEvent) throws {
        let pointer = Pointer(version: event.version, path: "model_registry/\(event.version)", updatedAt: event.at)
        try AtomicFile.write(try JSON.encode(pointer), to: latestFile)
        RegistryMoves.post(registry: root)
        do {
            try announcer?.announce(pointer)
        } catch {
            // The pointer has moved; services on this machine see it through inotify, others at their next resync.
            FileHandle.standardError.write(Data("warning: \(event.version) is latest, but announcing it failed: \(error)\n".utf8))
        }
    }

    /// Makes every `metadata.json` carry its row's status and `deployment_status.json` name the deployed
    /// version, rewriting only what differs: the one deployed before first, then the one deployed now.
    /// Returns the files it rewrote or removed, relative to the project.
    @discardableResult
    func publishDeployment() throws -> [String] {
        var rewritten: [String] = []
        let versions = try store.modelVersionList(pipelineRunID: nil, limit: Int.max)
        for model in versions.sorted(by: { $0.status == .registered && $1.status == .deployed }) {
            let file = root.appendingPathComponent(model.version).appendingPathComponent("metadata.json")
            // A row whose folder never came (its process died between the two) has nothing to publish.
            guard let data = FileManager.default.contents(atPath: file.path) else { continue }
            let metadata = try JSON.decode([String: ConfigValue].self, from: data)
            var wanted = metadata
            wanted["status"] = .string(model.status.rawValue)
            if model.status == .deployed, let at = model.deployedAt { wanted["deployed_at"] = .string(at.formatted(.iso8601)) }
            if wanted != metadata {
                try AtomicFile.write(try JSON.encode(wanted), to: file)
                rewritten.append("model_registry/\(model.version)/metadata.json")
            }
        }
        guard let deployed = versions.first(where: { $0.status == .deployed }) else {
            if FileManager.default.fileExists(atPath: deploymentFile.path) {
                try FileManager.default.removeItem(at: deploymentFile)
                rewritten.append("deployment/deployment_status.json")
            }
            return rewritten
        }
        let wanted = DeploymentStatus(version: deployed.version, path: "model_registry/\(deployed.version)", status: "deployed",
                                      deployedAt: deployed.deployedAt ?? deployed.createdAt)
        // Compared as bytes: a date read back and written again can differ in its last digit.
        let data = try JSON.encode(wanted)
        guard FileManager.default.contents(atPath: deploymentFile.path) != data else { return rewritten }
        try FileManager.default.createDirectory(at: deploymentFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(data, to: deploymentFile)
        return rewritten + ["deployment/deployment_status.json"]
    }

    /// Staging folders and `AtomicFile` temporaries (`.<name>.<pid>.<n>.tmp`) of writes that never
    /// finished. Every registry write happens under the lock, so under it any of them is a dead one's.
    /// Returns what it removed, relative to the project.
    private func removeLeftovers() throws -> [String] {
        let fm = FileManager.default
        var removed: [String] = []
        func isTemporary(_ name: String) -> Bool { name.hasPrefix(".") && name.hasSuffix(".tmp") }
        func remove(_ entry: URL) throws {
            try fm.removeItem(at: entry)
            removed.append(String(entry.path.dropFirst(project.root.path.count + 1)))
        }
        func removeTemporaries(in folder: URL) throws {
            for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] where isTemporary(name) {
                try remove(folder.appendingPathComponent(name))
            }
        }
        for name in try fm.contentsOfDirectory(atPath: root.path) {
            let entry = root.appendingPathComponent(name)
            if name.hasPrefix(".staging-") || isTemporary(name) {
                try remove(entry)
            } else if !name.hasPrefix(".") {
                try removeTemporaries(in: entry)
            }
        }
        try removeTemporaries(in: deploymentFile.deletingLastPathComponent())
        return removed
    }
}
