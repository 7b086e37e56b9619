import CFFI
import PluginAPI

/// A plain C function a plugin declared by symbol and signature string, called through libffi. The call
/// interface (cif) is prepared once at bind time; a call converts its arguments on the stack, no heap.
public final class ForeignFunction: @unchecked Sendable {
    public enum ScalarType: String, Sendable, CaseIterable {
        case double, float, int64, int32, bool

        var ffiType: UnsafeMutablePointer<ffi_type> {
            switch self {
            case .double: mage_ffi_type_double()
            case .float: mage_ffi_type_float()
            case .int64: mage_ffi_type_sint64()
            case .int32: mage_ffi_type_sint32()
            case .bool: mage_ffi_type_uint8()
            }
        }
    }

    public let name: String
    public let signature: String
    public let returnType: ScalarType
    public let parameterTypes: [ScalarType]
    private let entry: @convention(c) () -> Void
    /// The parameter types again, in memory the call reads without retaining an array.
    private let codes: UnsafeMutablePointer<ScalarType>
    private let cif: UnsafeMutablePointer<ffi_cif>
    private let argumentTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>

    /// Parses "RET(ARG,ARG,...)" and prepares the call interface.
    public init(name: String, signature: String, address: UnsafeMutableRawPointer) throws(SignatureError) {
        (returnType, parameterTypes) = try Self.parse(signature)
        self.name = name
        self.signature = signature
        entry = unsafeBitCast(address, to: (@convention(c) () -> Void).self)
        codes = .allocate(capacity: max(1, parameterTypes.count))
        codes.initialize(from: parameterTypes, count: parameterTypes.count)
        argumentTypes = .allocate(capacity: max(1, parameterTypes.count))
        for (i, type) in parameterTypes.enumerated() { argumentTypes[i] = type.ffiType }
        cif = .allocate(capacity: 1)
        let status = ffi_prep_cif(cif, FFI_DEFAULT_ABI, UInt32(parameterTypes.count), returnType.ffiType,
                                  argumentTypes)
        guard status == FFI_OK else {
            throw SignatureError(message: "libffi could not prepare a call for '\(signature)' (status \(status.rawValue))")
        }
    }

    deinit {
        cif.deallocate()
        argumentTypes.deallocate()
        codes.deallocate()
    }

    public var arity: Int { parameterTypes.count }

    /// Calls the function with `arity` arguments given as doubles, converted to the declared types; the
    /// result comes back as a double.
    public func call(_ args: UnsafePointer<Double>) -> Double {
        let n = parameterTypes.count
        guard n <= 8 else {
            return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n) { slots in
                withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: n) { pointers in
                    invoke(args, n, UnsafeMutableRawPointer(slots.baseAddress!), pointers.baseAddress!)
                }
            }
        }
        // The common case: argument slots and their pointers on the stack, fixed size.
        var slots: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        var pointers: (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?,
                       UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?,
                       UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) = (nil, nil, nil, nil, nil, nil, nil, nil)
        return withUnsafeMutableBytes(of: &slots) { slotBytes in
            withUnsafeMutableBytes(of: &pointers) { pointerBytes in
                invoke(args, n, slotBytes.baseAddress!,
                       pointerBytes.baseAddress!.assumingMemoryBound(to: UnsafeMutableRawPointer?.self))
            }
        }
    }

    @inline(__always)
    private func invoke(_ args: UnsafePointer<Double>, _ n: Int, _ slots: UnsafeMutableRawPointer,
                        _ pointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> Double {
        for i in 0..<n {
            let slot = slots + i * 8
            switch codes[i] {
            case .double: slot.storeBytes(of: args[i], as: Double.self)
            case .float: slot.storeBytes(of: Float(args[i]), as: Float.self)
            case .int64: slot.storeBytes(of: Self.integer(args[i]), as: Int64.self)
            case .int32: slot.storeBytes(of: Int32(clamping: Self.integer(args[i])), as: Int32.self)
            case .bool: slot.storeBytes(of: args[i] != 0 ? 1 : 0, as: UInt8.self)
            }
            pointers[i] = slot
        }
        // libffi writes at least a full register for small integral results.
        var raw: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &raw) { returnBuffer -> Double in
            ffi_call(cif, entry, returnBuffer.baseAddress, pointers)
            switch returnType {
            case .double: return returnBuffer.load(as: Double.self)
            case .float: return Double(returnBuffer.load(as: Float.self))
            case .int64: return Double(returnBuffer.load(as: Int64.self))
            case .int32: return Double(returnBuffer.load(as: Int32.self))
            case .bool: return returnBuffer.load(as: UInt8.self) != 0 ? 1 : 0
            }
        }
    }

    /// Toward zero, saturating; NaN becomes 0.
    private static func integer(_ value: Double) -> Int64 {
        guard !value.isNaN else { return 0 }
        if value >= 0x1p63 { return .max }
        if value < -0x1p63 { return .min }
        return Int64(value)
    }

    public struct SignatureError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    static func parse(_ signature: String) throws(SignatureError) -> (ScalarType, [ScalarType]) {
        let compact = signature.filter { !$0.isWhitespace }
        guard let open = compact.firstIndex(of: "("), compact.last == ")" else {
            throw SignatureError(message: "signature '\(signature)' is not of the form RET(ARG,...)")
        }
        func scalar(_ text: Substring) throws(SignatureError) -> ScalarType {
            guard let type = ScalarType(rawValue: String(text)) else {
                let known = ScalarType.allCases.map(\.rawValue).joined(separator: ", ")
                throw SignatureError(message: "signature '\(signature)': unknown type '\(text)' (known: \(known))")
            }
            return type
        }
        let returnType = try scalar(compact[..<open])
        let inner = compact[compact.index(after: open)..<compact.index(before: compact.endIndex)]
        var parameters: [ScalarType] = []
        if !inner.isEmpty && inner != "void" {
            for part in inner.split(separator: ",", omittingEmptySubsequences: false) {
                parameters.append(try scalar(part))
            }
        }
        return (returnType, parameters)
    }
}
