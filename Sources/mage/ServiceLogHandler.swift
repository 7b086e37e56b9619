import Foundation
import Logging
import MageHost

/// The services' log lines on stderr: `<UTC time> <level> <label>: [<source>] <message> <metadata>`.
/// Metadata is rendered only when a line is written. swift-log's StreamLogHandler renders it whenever
/// it is set, and the HTTP server sets a request id on every request's logger, which cost several
/// percent of a prediction.
struct ServiceLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    /// One line at a time on stderr.
    private static let lock = NSLock()

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        var all = metadata
        if let explicit { all.merge(explicit) { $1 } }
        let rendered = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let text = "\(UTCTimestamp(Date()).text()) \(level) \(label): [\(source)] \(message)\(rendered)\n"
        Self.lock.withLock { FileHandle.standardError.write(Data(text.utf8)) }
    }
}
