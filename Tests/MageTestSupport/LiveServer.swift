import Foundation
import Logging
import ServiceLifecycle

/// A server run in its own service group for the length of a test, on the port it reports when it is
/// listening; shut down gracefully afterwards, whether the test body threw or not.
public enum LiveServer {
    public struct DidNotStart: Error, CustomStringConvertible {
        public var description: String { "the server did not start" }
    }

    /// `make` builds the server given the callback it calls with its port once it listens.
    public static func run<Server: Service, T>(_ make: (@escaping @Sendable (Int) async -> Void) throws -> Server,
                                               _ body: (URL) async throws -> T) async throws -> T {
        var logger = Logger(label: "test.server")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = try make { port in continuation.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw DidNotStart() }
        do {
            let result = try await body(URL(string: "http://127.0.0.1:\(port)")!)
            await group.triggerGracefulShutdown()
            try await task.value
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await task.value
            throw error
        }
    }
}
