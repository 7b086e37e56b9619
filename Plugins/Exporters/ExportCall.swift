import Foundation
import PluginAPI
import PluginKit

/// What the three block kinds share: fetching the lineage document from the host, resolving output
/// paths, and turning thrown errors into the ABI's code + message.
struct ExportCall {
    let call: BlockCall

    /// The host already recorded why it failed (lineage_json returned NULL).
    struct HostReportedError: Error {}

    typealias LineageService = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?

    /// Runs `body`, mapping its errors to return codes. The exporters produce no table.
    static func run(_ ctx: OpaquePointer?, _ body: (ExportCall) throws -> Void) -> Int32 {
        let export = ExportCall(call: BlockCall(ctx))
        do {
            try body(export)
            return Int32(MAGE_OK)
        } catch let error as ExportError {
            switch error {
            case .invalidInput(let m): return export.call.fail(m, code: Int32(MAGE_ERROR_INVALID_INPUT))
            case .io(let m): return export.call.fail(m, code: Int32(MAGE_ERROR_IO))
            }
        } catch let error as UnsupportedHost {
            return export.call.fail(error.message, code: Int32(MAGE_ERROR_UNSUPPORTED))
        } catch is HostReportedError {
            return Int32(MAGE_ERROR)
        } catch {
            return export.call.fail("\(error)", code: Int32(MAGE_ERROR))
        }
    }

    struct UnsupportedHost: Error { let message: String }

    /// The end of the `lineage_json` slot: a host table at least this long is ABI 1.1 or later.
    static let lineageSlotEnd = MemoryLayout<mage_host_api>.offset(of: \.lineage_json)! + MemoryLayout<UnsafeRawPointer>.size

    /// The run's lineage document: the text as the host wrote it, and decoded.
    func lineage() throws -> (raw: Data, document: LineageDocument) {
        let table = UnsafeRawPointer(PluginHost.api!)
        let size = Int(PluginHost.api.pointee.struct_size)
        let version = "\(PluginHost.api.pointee.abi_major).\(PluginHost.api.pointee.abi_minor)"
        guard size >= Self.lineageSlotEnd else {
            throw UnsupportedHost(message: "this exporter needs the host service lineage_json (ABI 1.1), but the host speaks ABI \(version) (service table of \(size) bytes, lineage_json needs \(Self.lineageSlotEnd)); upgrade mage")
        }
        // Read the slot only now that the table is known to contain it.
        let offset = MemoryLayout<mage_host_api>.offset(of: \.lineage_json)!
        guard let service = table.load(fromByteOffset: offset, as: LineageService?.self) else {
            throw UnsupportedHost(message: "this exporter needs the host service lineage_json (ABI 1.1), but the host (ABI \(version)) leaves it empty; upgrade mage")
        }
        guard let text = service(call.context) else { throw HostReportedError() }
        let raw = Data(bytes: text, count: strlen(text))
        return (raw, try LineageDocument.decode(raw))
    }

    var projectRoot: String? { FileOutput.projectRoot(artifactDirectory: call.artifactDirectory) }

    /// A configured path, relative ones against the project root.
    func path(_ key: String) -> String? {
        guard let value = call.string(key), !value.isEmpty else { return nil }
        return FileOutput.resolve(value, projectRoot: projectRoot)
    }

    func requiredPath(_ key: String) throws -> String {
        guard let path = path(key) else { throw ExportError.invalidInput("configuration key '\(key)' must name the output file") }
        return path
    }
}
