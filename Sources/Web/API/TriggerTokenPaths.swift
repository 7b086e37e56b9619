import HTTPTypes
import Hummingbird
import MageHTTP

/// The routes an api trigger's own token opens: they take that token instead of `MAGE_API_TOKEN`, and
/// the older one carries it in its path, which must never reach a log.
enum TriggerTokenPaths {
    /// `/api/pipeline_schedules/<id>/api_trigger` or `/api/pipeline_schedules/<id>/pipeline_runs/<token>`
    /// (a route template's `{id}` too, for the OpenAPI document).
    static func contains(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= 5, segments[0].isEmpty, segments[1] == "api", segments[2] == "pipeline_schedules" else { return false }
        return (segments.count == 5 && segments[4] == "api_trigger") || (segments.count == 6 && segments[4] == "pipeline_runs")
    }

    /// The path as logs may print it: the token of the older route replaced by `••••`.
    static func masked(_ path: String) -> String {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 6, segments[1] == "api", segments[2] == "pipeline_schedules", segments[4] == "pipeline_runs" else { return path }
        segments[5] = "••••"
        return segments.joined(separator: "/")
    }
}

/// The server's token check (`MAGE_API_TOKEN`), except on the routes an api trigger's own token opens.
struct WebTokenCheck<Context: RequestContext>: RouterMiddleware {
    let bearer: BearerTokenMiddleware<Context>

    func needsToken(method: HTTPRequest.Method, path: String) -> Bool {
        !TriggerTokenPaths.contains(path) && bearer.needsToken(method: method, path: path)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if TriggerTokenPaths.contains(request.uri.path) { return try await next(request, context) }
        return try await bearer.handle(request, context: context, next: next)
    }
}
