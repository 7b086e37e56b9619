import Foundation
import PluginAPI

/// Every plugin library found on the search path: what loaded, what was refused and why, and the block
/// kinds and functions the loaded ones provide. One bad library never stops the others.
public final class PluginCatalog: @unchecked Sendable {
    public private(set) var libraries: [PluginLibrary] = []
    public private(set) var refused: [RefusedLibrary] = []
    public private(set) var blockKinds: [String: BlockKind] = [:]
    public private(set) var functions: [String: ForeignFunction] = [:]
    private var functionLibraries: [String: String] = [:]
    /// Block kinds declared by a library that loaded but was then refused, with its refusal.
    private var refusedKinds: [String: RefusedLibrary] = [:]

    /// Loads every `*.so` in `directories`, in order (files sorted by name within a folder). `hashFiles`
    /// computes each library's SHA-256 for records and listings; a block's child process skips it.
    public init(directories: [URL], hashFiles: Bool = true) {
        var seen = Set<String>()
        var swiftModules: [String: String] = [:]
        for directory in directories {
            for file in Self.libraryFiles(in: directory) {
                let real = file.resolvingSymlinksInPath().path
                guard seen.insert(real).inserted else { continue }
                var declared: [String] = []
                do {
                    let loaded = try PluginLoader.load(path: file.path)
                    declared = loaded.blockKinds.map(\.name)
                    try admit(loaded, swiftModules: &swiftModules, hashFiles: hashFiles)
                } catch {
                    let refusal = RefusedLibrary(path: file.path, reason: (error as? PluginLoader.Refusal)?.reason ?? "\(error)")
                    refused.append(refusal)
                    for kind in declared where refusedKinds[kind] == nil { refusedKinds[kind] = refusal }
                }
            }
        }
    }

    /// What the store keeps of this discovery.
    public func records(at date: Date = Date()) -> [PluginRecord] {
        libraries.map {
            PluginRecord(path: $0.path, sha256: $0.sha256, name: $0.name, version: $0.version,
                         abiVersion: $0.abiVersion, refusedReason: nil, seenAt: date)
        } + refused.map {
            PluginRecord(path: $0.path, sha256: nil, name: nil, version: nil, abiVersion: nil,
                         refusedReason: $0.reason, seenAt: date)
        }
    }

    public func blockKind(named name: String) throws -> BlockKind {
        guard let kind = blockKinds[name] else { throw MageError.unknownBlockKind(name) }
        return kind
    }

    /// Why `name` is not a loaded block kind, naming the refused library that declares it (or every
    /// refused library, when none got far enough to say what it declares).
    public func unknownBlockKindProblem(_ name: String) -> String {
        let kinds = blockKinds.keys.sorted().joined(separator: ", ")
        let base = "unknown block kind '\(name)' (loaded: \(kinds.isEmpty ? "none" : kinds))"
        if let refusal = refusedKinds[name] {
            return "\(base); \(refusal.path) declares it but was refused: \(refusal.reason)"
        }
        guard !refused.isEmpty else { return base }
        return "\(base); refused libraries: " + refused.map { "\($0.path) (\($0.reason))" }.joined(separator: "; ")
    }

    private func admit(_ loaded: PluginLoader.LoadedLibrary, swiftModules: inout [String: String],
                       hashFiles: Bool) throws {
        for kind in loaded.blockKinds {
            if let other = blockKinds[kind.name] {
                throw PluginLoader.Refusal(reason:
                    "duplicate block kind '\(kind.name)': \(loaded.path) and \(other.libraryPath) both declare it")
            }
        }
        if loaded.blockKinds.count != Set(loaded.blockKinds.map(\.name)).count {
            throw PluginLoader.Refusal(reason: "declares the same block kind twice")
        }
        if loaded.functions.count != Set(loaded.functions.map(\.name)).count {
            throw PluginLoader.Refusal(reason: "declares the same function twice")
        }
        for function in loaded.functions {
            if let other = functionLibraries[function.name] {
                throw PluginLoader.Refusal(reason:
                    "duplicate function '\(function.name)': \(loaded.path) and \(other) both declare it")
            }
        }
        if let module = loaded.swiftModule {
            if let other = swiftModules[module] {
                throw PluginLoader.Refusal(reason:
                    "duplicate Swift module '\(module)': \(loaded.path) and \(other) are built from the same module")
            }
            swiftModules[module] = loaded.path
        }
        for kind in loaded.blockKinds { blockKinds[kind.name] = kind }
        for function in loaded.functions {
            functions[function.name] = function
            functionLibraries[function.name] = loaded.path
        }
        let digest = hashFiles ? try? FileDigest.sha256(of: URL(fileURLWithPath: loaded.path)) : nil
        libraries.append(PluginLibrary(
            path: loaded.path, sha256: digest, name: loaded.name, version: loaded.version,
            abiVersion: loaded.abiVersion, swiftModule: loaded.swiftModule,
            blockKinds: loaded.blockKinds.map(\.name), functions: loaded.functions.map(\.name)))
    }

    static func libraryFiles(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".so") || $0.hasSuffix(".dylib") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }
}

extension PluginCatalog {
    /// The search path: `<project>/plugins/`, the build's plugin folder (`plugins/` beside the `mage`
    /// executable), then each folder of `MAGE_PLUGIN_PATH` (colon-separated).
    public static func searchPath(project: URL?, executable: URL? = Executable.url,
                                  environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        var path: [URL] = []
        if let project { path.append(project.appendingPathComponent("plugins")) }
        if let executable { path.append(executable.deletingLastPathComponent().appendingPathComponent("plugins")) }
        for entry in (environment["MAGE_PLUGIN_PATH"] ?? "").split(separator: ":") where !entry.isEmpty {
            path.append(URL(fileURLWithPath: String(entry)))
        }
        return path
    }
}
