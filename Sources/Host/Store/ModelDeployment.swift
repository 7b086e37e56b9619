import Foundation

/// What deploying a model version writes, whichever store records it. The `deployed` column is the
/// rule (a partial unique index lets at most one row carry it); each version's document carries the
/// same status for readers. The version deployed before goes back to registered first, so the index
/// never sees two deployed rows, then the new one is deployed: both in the transaction that appends
/// the `deploy` event.
struct ModelDeployment {
    /// One row to update: its document and its `deployed` column.
    struct Write {
        let version: String
        let document: String
        let deployed: Bool
    }

    /// `target` and `current` are the stored documents of the version to deploy and of the one
    /// deployed now (nil when none is); the writes in the order to make them.
    static func writes(deploying target: String, replacing current: String?, at: Date) throws -> [Write] {
        var model = try JSON.decode(ModelVersion.self, from: Data(target.utf8))
        var writes: [Write] = []
        if let current {
            var withdrawn = try JSON.decode(ModelVersion.self, from: Data(current.utf8))
            if withdrawn.version != model.version {
                withdrawn.status = .registered
                writes.append(Write(version: withdrawn.version, document: try text(withdrawn), deployed: false))
            }
        }
        model.status = .deployed
        model.deployedAt = at
        writes.append(Write(version: model.version, document: try text(model), deployed: true))
        return writes
    }

    private static func text(_ model: ModelVersion) throws -> String {
        String(decoding: try JSON.encode(model, pretty: false), as: UTF8.self)
    }
}

