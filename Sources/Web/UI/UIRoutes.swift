import Foundation
import HTTPTypes
import Hummingbird
import MageHTTP

/// The browser UI: `GET /` is the page, `GET /ui/<file>` one of its embedded files (`UIAsset.all`).
/// These routes need no token: the page asks for it when the API first answers 401, and sends it itself.
struct UIRoutes {
    /// Scripts and styles from this server only, none inline; the page may only talk to this server.
    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in Self.serve("index.html", request) }
        router.get("/ui/:file") { request, context in Self.serve(context.parameters.get("file") ?? "", request) }
    }

    static func serve(_ name: String, _ request: Request) -> Response {
        guard let asset = UIAsset.all[name] else {
            return APIError.notFound("no UI file '\(APIError.printable(name))'").response
        }
        var headers: HTTPFields = [
            .contentType: asset.contentType,
            // Revalidated on every load (the ETag makes that a 304), so a new build's files are seen at once.
            .cacheControl: "no-cache",
            .eTag: asset.etag,
            .contentSecurityPolicy: contentSecurityPolicy,
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
        ]
        if let given = request.headers[.ifNoneMatch], given.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == asset.etag
        }) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
