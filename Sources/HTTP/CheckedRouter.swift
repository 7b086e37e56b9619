import HTTPTypes
import Hummingbird

/// A router whose unmatched requests are answered in the project's error JSON: a path that exists with
/// other methods gets 405 with `Allow` (RFC 9110 §15.5.6), any other path 404 naming it. Hummingbird
/// answers both with a bare 404.
public struct CheckedRouter<Context: RequestContext>: HTTPResponderBuilder {
    public let router: Router<Context>

    public init(_ router: Router<Context>) {
        self.router = router
    }

    public func buildResponder() -> some HTTPResponder<Context> {
        Responder(routes: RouteTable(router.routes.map { ($0.path, $0.method) }), next: router.buildResponder())
    }

    struct Responder<Next: HTTPResponder>: HTTPResponder where Next.Context == Context {
        let routes: RouteTable
        let next: Next

        func respond(to request: Request, context: Context) async throws -> Response {
            let allowed = routes.methods(for: request.uri.path)
            if allowed.contains(request.method) { return try await next.respond(to: request, context: context) }
            let path = APIError.printable(request.uri.path)
            guard !allowed.isEmpty else {
                return APIError.notFound("no route \(request.method.rawValue) \(path)").response
            }
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            var response = APIError(status: 405, message: "\(path) does not take \(request.method.rawValue); it takes \(allow)").response
            response.headers[.allow] = allow
            return response
        }
    }
}

/// The methods each route path takes, matched segment by segment as Hummingbird's router matches them.
struct RouteTable: Sendable {
    let routes: [(path: RouterPath, method: HTTPRequest.Method)]
    /// The methods of each path without captures, as the request spells it: one lookup answers every
    /// request to such a path (`/predict`), which is the most specific match there can be.
    let literal: [String: [HTTPRequest.Method]]

    init(_ routes: [(RouterPath, HTTPRequest.Method)]) {
        self.routes = routes.map { (path: $0.0, method: $0.1) }
        var literal: [String: [HTTPRequest.Method]] = [:]
        for (path, method) in routes where Self.specificity(path).allSatisfy({ $0 == 1 }) {
            if !literal[path.description, default: []].contains(method) { literal[path.description, default: []].append(method) }
        }
        self.literal = literal
    }

    /// The methods of the path the router would pick, in the order first declared, without repeats.
    /// Like Hummingbird's trie, a literal segment wins over a capture at the same place, and the router
    /// does not fall back to the capture when the literal path lacks the method.
    func methods(for path: String) -> [HTTPRequest.Method] {
        if let methods = literal[path] { return methods }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let matching = routes.filter { Self.matches($0.path, segments) }
        guard let best = matching.map(\.path).max(by: { Self.specificity($0).lexicographicallyPrecedes(Self.specificity($1)) }) else {
            return []
        }
        var methods: [HTTPRequest.Method] = []
        for route in matching where route.path.description == best.description && !methods.contains(route.method) {
            methods.append(route.method)
        }
        return methods
    }

    /// Literal segments first, compared from the left: `[1, 1, 0]` beats `[1, 0, 1]`.
    static func specificity(_ pattern: RouterPath) -> [Int] {
        pattern.components.map { element in element.description.contains("{") || element.description.contains("*") ? 0 : 1 }
    }

    static func matches(_ pattern: RouterPath, _ segments: [Substring]) -> Bool {
        for (index, element) in pattern.components.enumerated() {
            if element.description == "**" { return true }
            guard index < segments.count, element ~= segments[index] else { return false }
        }
        return pattern.components.count == segments.count
    }
}
