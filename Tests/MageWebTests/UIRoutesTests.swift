import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MageHTTP
import Testing
@testable import MageWeb

/// The browser UI as the server sends it: the page and each embedded file with its type and headers,
/// nothing but the fixed table, and no reference from the page to a file that is not in it.
@Suite struct UIRoutesTests {
    static let expectedTypes = [
        "index.html": "text/html; charset=utf-8", "app.css": "text/css; charset=utf-8", "favicon.svg": "image/svg+xml",
        "api.js": UIAsset.javaScript, "dom.js": UIAsset.javaScript, "graph.js": UIAsset.javaScript, "charts.js": UIAsset.javaScript,
        "app.js": UIAsset.javaScript, "pipelines.js": UIAsset.javaScript, "run.js": UIAsset.javaScript, "triggers.js": UIAsset.javaScript,
        "models.js": UIAsset.javaScript, "catalog.js": UIAsset.javaScript,
    ]

    func withClient(access: APIAccess = APIAccess(), _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await WebHarness().server(access: access).application().test(.router, body)
    }

    static func expectUIHeaders(_ response: TestResponse, type: String, _ uri: String) {
        #expect(response.status == .ok, "\(uri)")
        #expect(response.headers[.contentType] == type, "\(uri)")
        #expect(response.headers[.cacheControl] == "no-cache", "\(uri)")
        #expect(response.headers[.eTag]?.hasPrefix("\"") == true, "\(uri)")
        #expect(response.headers[.contentSecurityPolicy] == UIRoutes.contentSecurityPolicy, "\(uri)")
        #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(uri)")
    }

    @Test func thePageAndEveryFileAreServedWithTheirTypeAndHeaders() async throws {
        #expect(Set(UIAsset.all.keys) == Set(Self.expectedTypes.keys))
        #expect(UIRoutes.contentSecurityPolicy.contains("default-src 'self'"))
        #expect(UIRoutes.contentSecurityPolicy.contains("script-src 'self';"))
        #expect(!UIRoutes.contentSecurityPolicy.contains("unsafe"))
        try await withClient { client in
            try await client.execute(uri: "/", method: .get) { response in
                Self.expectUIHeaders(response, type: "text/html; charset=utf-8", "/")
                #expect(Array(buffer: response.body) == PackageResources.index_html)
            }
            for (name, type) in Self.expectedTypes {
                let asset = try #require(UIAsset.all[name])
                try await client.execute(uri: "/ui/\(name)", method: .get) { response in
                    Self.expectUIHeaders(response, type: type, name)
                    #expect(Array(buffer: response.body) == asset.bytes, "\(name)")
                    #expect(response.headers[.eTag] == asset.etag)
                }
                // The ETag revalidates: the same bytes are not sent twice.
                try await client.execute(uri: "/ui/\(name)", method: .get, headers: [.ifNoneMatch: asset.etag]) { response in
                    #expect(response.status == .notModified, "\(name)")
                    #expect(response.body.readableBytes == 0)
                }
            }
        }
    }

    @Test func onlyTheTableIsServedNoPathReachesTheDisk() async throws {
        try await withClient { client in
            for uri in ["/ui/nothing.js", "/ui/", "/ui/../Package.swift", "/ui/..%2FPackage.swift", "/ui/%2e%2e%2fPackage.swift",
                        "/ui/%2E%2E/Package.swift", "/ui/UIRoutes.swift", "/ui//etc/passwd", "/ui/app.js%00.html"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(response.headers[.contentType] == "application/json", "\(uri)")
                    let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    #expect(body?["status_code"] as? Int == 404, "\(uri)")
                    #expect(!String(buffer: response.body).contains("swift-tools-version"), "\(uri)")
                }
            }
        }
    }

    /// The page needs no token: it asks for one when the API refuses, so it must load under MAGE_API_AUTH=all.
    @Test func theUIIsOpenWhenEveryAPIRouteNeedsTheToken() async throws {
        try await withClient(access: APIAccess(token: "ui-secret", scope: .all)) { client in
            try await client.execute(uri: "/", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ui/app.js", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/pipelines", method: .get) { #expect($0.status == .unauthorized) }
        }
    }

    /// Every `src`/`href` of the page and every `import … from './x.js'` of a script names an embedded file,
    /// and every embedded file is reached from the page.
    @Test func thePagesReferenceOnlyFilesThatExist() throws {
        let page = String(decoding: PackageResources.index_html, as: UTF8.self)
        let references = Self.matches(##"(?:src|href)="([^"#][^"]*)""##, in: page)
        #expect(!references.isEmpty)
        var reached: Set<String> = ["index.html"]
        var pending: [String] = []
        for reference in references {
            #expect(reference.hasPrefix("/ui/"), "index.html refers to \(reference), outside the embedded files")
            let name = String(reference.dropFirst("/ui/".count))
            #expect(UIAsset.all[name] != nil, "index.html refers to \(reference), which is not embedded")
            if reached.insert(name).inserted { pending.append(name) }
        }
        while let name = pending.popLast() {
            guard name.hasSuffix(".js"), let asset = UIAsset.all[name] else { continue }
            let script = String(decoding: asset.bytes, as: UTF8.self)
            #expect(!script.contains("innerHTML"), "\(name) must build the page with DOM calls, not innerHTML")
            #expect(!script.contains("eval("), "\(name)")
            for imported in Self.matches(#"from '\./([^']+)'"#, in: script) {
                #expect(UIAsset.all[imported] != nil, "\(name) imports ./\(imported), which is not embedded")
                if reached.insert(imported).inserted { pending.append(imported) }
            }
        }
        #expect(reached == Set(UIAsset.all.keys), "embedded but never used: \(Set(UIAsset.all.keys).subtracting(reached).sorted())")
        #expect(!page.contains("<script>") && !page.contains(" style="), "index.html has inline script or style, which the CSP refuses")
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        let expression = try! NSRegularExpression(pattern: pattern)
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
