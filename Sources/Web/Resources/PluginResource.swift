import Foundation
import MageHost

/// The plugin libraries the server loaded: their block kinds and functions, and each refused library with why.
struct PluginsResource: Encodable {
    struct Library: Encodable {
        var name: String
        var version: String
        var abi_version: String
        var path: String
        var sha256: String?
        var swift_module: String?
        var block_kinds: [BlockKindResource]
        var functions: [FunctionResource]
    }

    struct BlockKindResource: Encodable {
        var name: String
        var type: String
        var description: String
        var configuration_keys: [ConfigKeySpec]
    }

    struct FunctionResource: Encodable {
        var name: String
        var signature: String
    }

    struct Refused: Encodable {
        var path: String
        var reason: String
    }

    var search_path: [String]
    var libraries: [Library]
    var refused: [Refused]

    init(_ catalog: PluginCatalog, searchPath: [URL]) {
        search_path = searchPath.map(\.path)
        libraries = catalog.libraries.map { library in
            Library(name: library.name, version: library.version, abi_version: library.abiVersion, path: library.path,
                    sha256: library.sha256, swift_module: library.swiftModule,
                    block_kinds: library.blockKinds.compactMap { catalog.blockKinds[$0] }.map {
                        BlockKindResource(name: $0.name, type: $0.type.rawValue, description: $0.description,
                                          configuration_keys: $0.configKeys)
                    },
                    functions: library.functions.compactMap { name in
                        catalog.functions[name].map { FunctionResource(name: name, signature: $0.signature) }
                    })
        }
        refused = catalog.refused.map { Refused(path: $0.path, reason: $0.reason) }
    }
}
