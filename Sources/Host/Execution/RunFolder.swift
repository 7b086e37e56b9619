import Foundation

/// A block's run folder, `.mage_data/pipelines/<pipeline>/runs/<run>/<block>`, and every folder above it
/// up to `pipelines`: owner only (0700), since what a block leaves there (its log, its output, its
/// artifacts) may quote its data or its configuration. Files the host writes there are 0600.
enum RunFolder {
    static let folderPermissions: mode_t = 0o700
    static let filePermissions: mode_t = 0o600

    static func prepare(_ directory: URL, in project: Project) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: folderPermissions])
        // Folders made before (or by an older mage) are tightened too.
        let top = project.dataDirectory.appendingPathComponent("pipelines").standardizedFileURL.path
        var current = directory.standardizedFileURL
        while current.path.hasPrefix(top) {
            guard chmod(current.path, folderPermissions) == 0 else {
                throw MageError.io("cannot restrict \(current.path) to its owner: \(errnoText())")
            }
            if current.path == top { break }
            current = current.deletingLastPathComponent()
        }
    }
}
