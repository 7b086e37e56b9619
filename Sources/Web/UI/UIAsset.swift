import Foundation

/// One file of the browser UI, compiled into the binary by SwiftPM (`.embedInCode`).
struct UIAsset: Sendable {
    let name: String
    let contentType: String
    let bytes: [UInt8]
    /// A strong validator of the bytes, quoted as the header wants it.
    let etag: String

    init(_ name: String, _ contentType: String, _ bytes: [UInt8]) {
        self.name = name
        self.contentType = contentType
        self.bytes = bytes
        etag = "\"\(String(Self.fnv1a(bytes), radix: 16))-\(bytes.count)\""
    }

    /// The only files `/ui/<name>` serves: a fixed table, so no request can name anything else.
    static let all: [String: UIAsset] = Dictionary(uniqueKeysWithValues: [
        UIAsset("index.html", "text/html; charset=utf-8", PackageResources.index_html),
        UIAsset("app.css", "text/css; charset=utf-8", PackageResources.app_css),
        UIAsset("api.js", javaScript, PackageResources.api_js),
        UIAsset("dom.js", javaScript, PackageResources.dom_js),
        UIAsset("graph.js", javaScript, PackageResources.graph_js),
        UIAsset("charts.js", javaScript, PackageResources.charts_js),
        UIAsset("app.js", javaScript, PackageResources.app_js),
        UIAsset("pipelines.js", javaScript, PackageResources.pipelines_js),
        UIAsset("run.js", javaScript, PackageResources.run_js),
        UIAsset("triggers.js", javaScript, PackageResources.triggers_js),
        UIAsset("models.js", javaScript, PackageResources.models_js),
        UIAsset("catalog.js", javaScript, PackageResources.catalog_js),
        UIAsset("favicon.svg", "image/svg+xml", PackageResources.favicon_svg),
    ].map { ($0.name, $0) })

    static let javaScript = "text/javascript; charset=utf-8"

    /// FNV-1a, 64 bits: enough to tell two builds' files apart, and computed once per file.
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
