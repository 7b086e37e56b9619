import Foundation
import PluginAPI
import PluginKit

/// `openlineage`: the run as OpenLineage RunEvents, written as NDJSON and, when a URL is configured,
/// posted to an OpenLineage server such as Marquez.
public enum OpenLineageExport {
    public static let kindName = "openlineage"
    /// Read when the configuration has no `url`.
    public static let urlVariable = "OPENLINEAGE_URL"
    /// Sent as a bearer token when set.
    public static let apiKeyVariable = "OPENLINEAGE_API_KEY"

    static let spec = BlockKindSpec(
        name: kindName, type: MAGE_BLOCK_DATA_EXPORTER,
        description: "writes the run as OpenLineage events (NDJSON) and posts them to <url>/api/v1/lineage",
        configKeys: [
            ConfigKeySpec("path", MAGE_CONFIG_STRING, required: true, path: true,
                          "NDJSON output file, rewritten at each export; relative to the project folder"),
            ConfigKeySpec("namespace", MAGE_CONFIG_STRING, "OpenLineage job namespace (default swiftmage)"),
            ConfigKeySpec("repository_url", MAGE_CONFIG_STRING,
                          "code repository URL for the source code location facet (default: the project folder as a file:// URL)"),
            ConfigKeySpec("url", MAGE_CONFIG_STRING,
                          "OpenLineage server, e.g. http://127.0.0.1:5000; events go to <url>/api/v1/lineage (default: $OPENLINEAGE_URL)"),
            ConfigKeySpec("timeout_seconds", MAGE_CONFIG_DOUBLE, "connect and read timeout per request (default 10)"),
        ],
        run: { ctx, _, _, _ in
            ExportCall.run(ctx) { export in try run(export) }
        })

    static func run(_ export: ExportCall, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let call = export.call
        let path = try export.requiredPath("path")
        let url = call.string("url").flatMap { $0.isEmpty ? nil : $0 }
            ?? environment[urlVariable].flatMap { $0.isEmpty ? nil : $0 }
        // Check the configuration before doing anything.
        let client = try url.map {
            try LineageHTTPClient(base: $0, timeoutSeconds: call.double("timeout_seconds") ?? 10,
                                  apiKey: environment[apiKeyVariable].flatMap { $0.isEmpty ? nil : $0 })
        }
        let namespace = call.string("namespace") ?? OpenLineage.defaultNamespace
        guard !namespace.isEmpty else { throw ExportError.invalidInput("configuration key 'namespace' must not be empty") }
        let (_, document) = try export.lineage()
        let options = OpenLineageOptions(
            namespace: namespace, repositoryURL: call.string("repository_url").flatMap { $0.isEmpty ? nil : $0 },
            projectURL: export.projectRoot.map { URL(fileURLWithPath: $0, isDirectory: true).absoluteString })
        let lines = try OpenLineage.lines(OpenLineage.events(for: document, options: options))
        try FileOutput.writeAtomically(OpenLineage.ndjson(lines), to: path)
        call.log("wrote \(lines.count) OpenLineage events to \(path)")
        if let client {
            try client.post(lines)
            call.log("posted \(lines.count) OpenLineage events to \(client.endpoint)")
        }
    }
}
