import Foundation
import Hummingbird
import Logging
import MageHTTP
import MageHost

/// Every failure of a matched route leaves as the project's error JSON with its real status: a refused request (`APIError`),
/// Hummingbird's own (`HTTPError`), the store being unavailable (503), or anything else (500, logged, its text kept out
/// of the answer).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response
        } catch let error as HTTPError {
            return APIError(status: Int(error.status.code), message: error.body ?? error.status.reasonPhrase).response
        } catch let error as StoreUnavailable {
            // The database is away (restarting): the client may try again; the server carries on.
            logger.warning("\(request.method.rawValue) \(TriggerTokenPaths.masked(request.uri.path)): \(error)")
            return APIError.unavailable("the metadata store is unavailable; try again shortly").response
        } catch {
            logger.error("\(request.method.rawValue) \(TriggerTokenPaths.masked(request.uri.path)) failed: \(error)")
            return APIError(status: 500, message: "internal error; the server log has the details").response
        }
    }
}
