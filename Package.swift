// swift-tools-version:6.0
import PackageDescription

/// Every block plugin is a dynamic library the host finds at run time, never a link-time dependency.
/// `dependencies` are the plugin's own extra ones (a system library, say), linked into it alone.
func blockPlugin(_ name: String, path: String, dependencies: [Target.Dependency] = []) -> [Target] {
    [.target(name: name, dependencies: ["PluginAPI", "PluginKit"] + dependencies, path: path)]
}

let package = Package(
    name: "SwiftMage",
    products: [
        .executable(name: "mage", targets: ["mage"]),
        .library(name: "PluginAPI", targets: ["PluginAPI"]),
        .library(name: "PluginKit", targets: ["PluginKit"]),
        .library(name: "MageDataLoaders", type: .dynamic, targets: ["MageDataLoaders"]),
        .library(name: "MageTransformers", type: .dynamic, targets: ["MageTransformers"]),
        .library(name: "MageModels", type: .dynamic, targets: ["MageModels"]),
        .library(name: "MageExporters", type: .dynamic, targets: ["MageExporters"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
    ],
    targets: [
        // The C ABI: one header, the contract between the host and every plugin.
        .target(name: "PluginAPI", path: "Sources/PluginAPI"),
        .systemLibrary(name: "CFFI", path: "Sources/CFFI", pkgConfig: "libffi",
                       providers: [.apt(["libffi-dev"])]),
        // libpq: the PostgreSQL metadata store, and the postgres_query data loader.
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        // hiredis, for coordination through Redis when REDIS_URL is set (the registry's announcements).
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis", pkgConfig: "hiredis",
                       providers: [.apt(["libhiredis-dev"])]),
        // Linux process control the host needs and Swift cannot call directly (prctl is variadic).
        .systemLibrary(name: "CProcess", path: "Sources/CProcess"),
        // Swift conveniences for plugin authors, linked statically into each Swift plugin.
        .target(name: "PluginKit", dependencies: ["PluginAPI"], path: "Sources/PluginKit"),
        // Host services: plugin loading, pipelines, execution, metadata store.
        .target(name: "MageHost", dependencies: [
            "PluginAPI", "CFFI", "CHiredis", "CProcess", "CLibPQ",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ], path: "Sources/Host"),
        // What every HTTP service shares: the error shape and JSON answers, bearer tokens, request ids,
        // and the connection guard against slow and early-answered clients.
        .target(name: "MageHTTP", dependencies: [
            "MageHost", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        ], path: "Sources/HTTP"),
        // The prediction service (HTTP), kept out of the core library so MageHost stays server-free.
        .target(name: "MageServing", dependencies: [
            "MageHost", "MageHTTP",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], path: "Sources/Serving"),
        // The web server of a project (port 6789): Mage's REST API over the store, and the UI.
        .target(name: "MageWeb", dependencies: [
            "MageHost", "MageHTTP",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/Web",
        // The browser UI, compiled into the binary (`PackageResources.<file>`): served from memory, never from disk.
        resources: ["index.html", "app.css", "api.js", "dom.js", "graph.js", "charts.js", "app.js",
                    "pipelines.js", "run.js", "triggers.js", "models.js", "catalog.js", "favicon.svg"].map { .embedInCode("UI/\($0)") }),
        .executableTarget(name: "mage", dependencies: [
            "MageHost", "MageHTTP", "MageServing", "MageWeb", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], path: "Sources/mage"),
        .executableTarget(name: "mage-bench", dependencies: ["MageHost", "PluginAPI"],
                          path: "Benchmarks/HostBench"),
        .executableTarget(name: "model-bench", dependencies: ["MageModels", "MageHost"],
                          path: "Benchmarks/ModelBench", exclude: ["compare_sklearn.py"]),
        .executableTarget(name: "store-bench", dependencies: ["MageHost"], path: "Benchmarks/StoreBench", exclude: ["run.sh"]),
        // What every test target shares: temporary folders, free loopback ports.
        .target(name: "MageTestSupport", dependencies: [
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/MageTestSupport"),
        .testTarget(name: "MageHostTests", dependencies: ["MageHost", "PluginAPI", "MageTestSupport"], path: "Tests/MageHostTests",
                    exclude: ["Fixtures"]),
        .testTarget(name: "MageWebTests", dependencies: ["MageWeb", "MageHTTP", "MageHost", "MageTestSupport",
                                                       .product(name: "HummingbirdTesting", package: "hummingbird")],
                    path: "Tests/MageWebTests"),
        .testTarget(name: "MageServingTests", dependencies: ["MageServing", "MageHTTP", "MageHost", "MageTestSupport"],
                    path: "Tests/MageServingTests"),
        // The exporters' renderers, unit-tested without the host (the plugin module linked directly).
        .testTarget(name: "MageExportersTests", dependencies: ["MageExporters", "MageTestSupport"], path: "Tests/MageExportersTests",
                    exclude: ["Fixtures"]),
    ] + blockPlugin("MageDataLoaders", path: "Plugins/DataLoaders", dependencies: ["CLibPQ"])
      + blockPlugin("MageTransformers", path: "Plugins/Transformers")
      + blockPlugin("MageModels", path: "Plugins/Models")
      + blockPlugin("MageExporters", path: "Plugins/Exporters")
)
