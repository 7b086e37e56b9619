import Foundation
import PluginAPI

/// The host side of one plugin call's `mage_context`: the block's configuration, its log, the error the
/// plugin reports and the facets it attaches. Plugins may call services from several threads at once.
public final class BlockContext: @unchecked Sendable {
    public let blockUUID: String
    public let configuration: [String: ConfigValue]
    public let artifactDirectory: String
    let functions: [String: ForeignFunction]
    /// Run-level services (lineage, registry); nil outside a pipeline run.
    let run: RunServices?
    private let logSink: @Sendable (LogLevel, String) -> Void
    private let lock = NSLock()
    private var error: String?
    private var reportedFacets: [String: String] = [:]
    /// C strings handed to the plugin; freed with the context, after every call that borrowed them.
    private var borrowedStrings: [UnsafeMutablePointer<CChar>] = []
    /// During a model's train: the table it trains on, and the signature it declared.
    private var training: Table?
    private var signature: ModelSignatureFile?

    public enum LogLevel: Int32, Sendable {
        case debug = 0, info, warning, error

        public var label: String { ["DEBUG", "INFO", "WARNING", "ERROR"][Int(rawValue)] }
    }

    public init(blockUUID: String, configuration: [String: ConfigValue], artifactDirectory: String,
                functions: [String: ForeignFunction], run: RunServices? = nil,
                log: @escaping @Sendable (LogLevel, String) -> Void) {
        self.run = run
        self.blockUUID = blockUUID
        self.configuration = configuration
        self.artifactDirectory = artifactDirectory
        self.functions = functions
        self.logSink = log
    }

    deinit { borrowedStrings.forEach { free($0) } }

    /// The pointer plugins receive; valid while this object lives.
    var cPointer: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ pointer: OpaquePointer?) -> BlockContext? {
        pointer.map { Unmanaged<BlockContext>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }

    public var errorMessage: String? { lock.withLock { error } }
    public var facets: [String: String] { lock.withLock { reportedFacets } }

    func log(_ level: LogLevel, _ message: String) { logSink(level, message) }

    func setError(_ message: String) { lock.withLock { error = message } }

    func beginTraining(on table: Table) { lock.withLock { training = table } }

    var declaredSignature: ModelSignatureFile? { lock.withLock { signature } }

    /// `declare_model_signature`: checked against the training table at once, so the plugin learns of a
    /// wrong name in the call that made it.
    func declareSignature(label: String, features: [String]?) -> Bool {
        guard let table = lock.withLock({ training }) else {
            setError("declare_model_signature is only available during a model's train")
            return false
        }
        do {
            let declared = try ModelSignatureFile.derive(from: table, label: label, features: features)
            lock.withLock { signature = declared }
            return true
        } catch {
            setError("declare_model_signature: \((error as? ModelSignatureFile.Problem)?.description ?? "\(error)")")
            return false
        }
    }

    func addFacet(name: String, json: String) -> Bool {
        guard (try? JSONSerialization.jsonObject(with: Data(json.utf8))) is [String: Any] else { return false }
        lock.withLock { reportedFacets[name] = json }
        return true
    }

    /// Runs a run-level service, turning a missing run or an error into the call's error message.
    func service(_ name: String, _ body: (RunServices) throws -> String) -> UnsafePointer<CChar>? {
        guard let run else {
            setError("\(name) is only available to blocks of a pipeline run")
            return nil
        }
        do {
            return borrow(try body(run))
        } catch {
            setError("\(name): \(error)")
            return nil
        }
    }

    func borrow(_ text: String) -> UnsafePointer<CChar> {
        let copy = strdup(text)!
        lock.withLock { borrowedStrings.append(copy) }
        return UnsafePointer(copy)
    }
}
