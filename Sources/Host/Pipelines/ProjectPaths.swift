import Foundation

/// Paths in block configuration (keys declared MAGE_CONFIG_PATH) mean the project's own files: a
/// relative path resolves against the project folder, and the result, with `..` and every symbolic
/// link followed, must lie inside the project or inside a folder metadata.yaml lists under
/// `allowed_paths`. Checked when the pipeline loads and again in the block process, just before the
/// plugin runs (a template or a link may have changed in between).
public struct ProjectPaths: Sendable {
    public let root: String
    public let allowedRoots: [String]

    public init(project: Project) throws {
        root = try Self.canonical(project.root.path)
        allowedRoots = try project.settings.allowed_paths.map { entry in
            let absolute = entry.hasPrefix("/") ? entry : project.root.appendingPathComponent(entry).path
            return try Self.canonical(absolute)
        }
    }

    /// The absolute, resolved form of `path`, or a refusal naming where it leads.
    public func resolve(_ path: String, key: String) throws -> String {
        guard !path.isEmpty else { throw MageError.usage("configuration key '\(key)' is an empty path") }
        let absolute = path.hasPrefix("/") ? path : root + "/" + path
        let resolved: String
        do { resolved = try Self.canonical(absolute) }
        catch { throw MageError.usage("configuration key '\(key)': \(error)") }
        guard ([root] + allowedRoots).contains(where: { Self.contains($0, resolved) }) else {
            let allowed = allowedRoots.isEmpty ? "" : " or the allowed paths (\(allowedRoots.joined(separator: ", ")))"
            throw MageError.usage("configuration key '\(key)': '\(path)' resolves to \(resolved), outside the project \(root)\(allowed); list its folder under allowed_paths in metadata.yaml to allow it")
        }
        return resolved
    }

    static func contains(_ folder: String, _ path: String) -> Bool {
        folder == "/" || path == folder || path.hasPrefix(folder + "/")
    }

    /// `path` with `.`, `..` and symbolic links resolved component by component, as the kernel would;
    /// the part that does not exist yet (an output file) is taken as written.
    static func canonical(_ path: String) throws -> String {
        var current = "/"
        var existing = true
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                current = (current as NSString).deletingLastPathComponent
                if current.isEmpty { current = "/" }
                continue
            }
            let next = current == "/" ? "/\(part)" : "\(current)/\(part)"
            if existing, let real = realpath(next, nil) {
                current = String(cString: real)
                free(real)
                continue
            }
            var info = stat()
            if existing, lstat(next, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
                throw MageError.usage("\(next) is a symbolic link to a file that does not exist")
            }
            existing = false
            current = next
        }
        return current
    }
}
