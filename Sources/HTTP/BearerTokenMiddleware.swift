import Hummingbird

/// Refuses, with 401 and `WWW-Authenticate: Bearer`, a request that needs the token and does not carry
/// it as `Authorization: Bearer <token>`. Which requests need it: with scope `all`, every path but
/// `openPaths`; with scope `writes`, every method but GET, HEAD and OPTIONS, except the POSTs listed in
/// `readingPosts` (a POST that only reads, such as a prediction).
public struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: APIAccess
    let expected: [UInt8]
    let openPaths: Set<String>
    let readingPosts: Set<String>

    public init(access: APIAccess, openPaths: Set<String>, readingPosts: Set<String>) {
        self.access = access
        self.expected = Array(("Bearer " + (access.token ?? "")).utf8)
        self.openPaths = openPaths
        self.readingPosts = readingPosts
    }

    public func needsToken(method: HTTPRequest.Method, path: String) -> Bool {
        guard access.token != nil, !openPaths.contains(path) else { return false }
        if access.scope == .all { return true }
        switch method {
        case .get, .head, .options: return false
        case .post: return !readingPosts.contains(path)
        default: return true
        }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard needsToken(method: request.method, path: request.uri.path) else { return try await next(request, context) }
        guard let given = request.headers[.authorization] else {
            return Self.refusal("this route needs Authorization: Bearer <MAGE_API_TOKEN>", challenge: #"Bearer realm="swiftmage""#)
        }
        guard Self.constantTimeEqual(given.utf8, expected) else {
            return Self.refusal("the bearer token is not valid", challenge: #"Bearer realm="swiftmage", error="invalid_token""#)
        }
        return try await next(request, context)
    }

    static func refusal(_ message: String, challenge: String) -> Response {
        JSONResponse.make(status: 401, APIError(status: 401, message: message), headers: [.wwwAuthenticate: challenge])
    }

    /// Equal bytes, in a time that depends on the expected length only, never on where the first
    /// difference is.
    static func constantTimeEqual(_ given: String.UTF8View, _ expected: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: given.count ^ expected.count)
        var index = given.startIndex
        for byte in expected {
            var other: UInt8 = 0
            if index != given.endIndex {
                other = given[index]
                index = given.index(after: index)
            }
            difference |= UInt(byte ^ other)
        }
        return difference == 0
    }
}
