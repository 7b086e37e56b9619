import Foundation

/// What syncing one pipeline's triggers.yaml does to the triggers the store holds for it, decided the
/// same way by every store: a trigger new to the store is created; one whose file entry changed since the
/// last sync, or that was defined through the API under a name the file now uses, is replaced (the file
/// wins); one the file no longer lists is deleted, unless the file lists it wrongly (`refused`), which
/// keeps its last good definition running. A file trigger whose entry did not change keeps the edits
/// made through the API (enabling or disabling it, say).
struct ScheduleSyncPlan {
    var create: [ScheduleDefinition] = []
    var replace: [(id: Int64, definition: ScheduleDefinition)] = []
    var delete: [PipelineSchedule] = []

    init(stored: [PipelineSchedule], file: [ScheduleDefinition], refused: Set<String>) {
        let byName = Dictionary(stored.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let listed = Set(file.map(\.name))
        for definition in file {
            guard let current = byName[definition.name] else {
                create.append(definition)
                continue
            }
            if current.definition.origin != .file || current.definition.fileDigest != definition.fileDigest {
                replace.append((current.id, definition))
            }
        }
        delete = stored.filter { $0.definition.origin == .file && !listed.contains($0.name) && !refused.contains($0.name) }
    }

    var report: ScheduleSyncReport {
        ScheduleSyncReport(created: create.map(\.name), updated: replace.map(\.definition.name), deleted: delete.map(\.name))
    }
}

extension StoreConflict {
    static func nameTaken(_ definition: ScheduleDefinition) -> StoreConflict {
        StoreConflict("pipeline '\(definition.pipeline)' already has a trigger named '\(definition.name)'")
    }
}
