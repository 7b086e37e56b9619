import Foundation
import PluginAPI

/// Opens one library and checks it against ABI v1 before anything of it is used. Libraries are never
/// closed: unloading a Swift library crashes its runtime later, and descriptors point into them.
enum PluginLoader {
    struct Refusal: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    struct LoadedLibrary {
        var path: String
        var name: String
        var version: String
        var abiVersion: String
        var swiftModule: String?
        var blockKinds: [BlockKind]
        var functions: [ForeignFunction]
    }

    static let hostABI = "\(MAGE_ABI_MAJOR).\(MAGE_ABI_MINOR)"
    /// The sizes of the structs as ABI 1.0 defined them: what any 1.x plugin hands over at least. Fixed
    /// numbers, not today's `MemoryLayout`, so a later minor that grows a struct still loads 1.0 plugins.
    static let minimumDescriptorSize = 64
    static let minimumBlockKindSize = 88

    static func load(path: String) throws -> LoadedLibrary {
        try checkPermissions(path)
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            throw Refusal(reason: "dlopen failed: \(dlerror().map { String(cString: $0) } ?? "unknown error")")
        }
        guard let entrySymbol = dlsym(handle, MAGE_PLUGIN_ENTRY_SYMBOL) else {
            throw Refusal(reason: "no entry symbol '\(MAGE_PLUGIN_ENTRY_SYMBOL)' (is it a SwiftMage plugin?)")
        }
        let entry = unsafeBitCast(entrySymbol, to: mage_plugin_entry_fn.self)
        guard let descriptor = entry(HostServiceTable.pointer) else {
            throw Refusal(reason: "\(MAGE_PLUGIN_ENTRY_SYMBOL) returned NULL: the plugin declined host ABI \(hostABI)")
        }
        let raw = UnsafeRawPointer(descriptor)
        let size = Int(raw.load(as: UInt32.self))
        guard size >= 8 else {
            throw Refusal(reason: "\(MAGE_PLUGIN_ENTRY_SYMBOL) returned a descriptor of \(size) bytes, too small to hold a version")
        }
        let major = raw.load(fromByteOffset: 4, as: UInt16.self)
        let minor = raw.load(fromByteOffset: 6, as: UInt16.self)
        guard major == MAGE_ABI_MAJOR else {
            throw Refusal(reason: "ABI mismatch: \(MAGE_PLUGIN_ENTRY_SYMBOL) reports ABI \(major).\(minor), host speaks \(hostABI)")
        }
        guard size >= minimumDescriptorSize else {
            throw Refusal(reason: "\(MAGE_PLUGIN_ENTRY_SYMBOL) returned a descriptor of \(size) bytes (ABI \(major).\(minor)); host ABI \(hostABI) needs at least \(minimumDescriptorSize)")
        }
        let d = SizedStruct(descriptor)
        let name = d.field(\.name).map { String(cString: $0) } ?? URL(fileURLWithPath: path).lastPathComponent
        var kinds: [BlockKind] = []
        let kindTable = d.field(\.block_kinds)
        for i in 0..<d.field(\.n_block_kinds, absent: 0) {
            guard let kind = kindTable?[i] else { throw Refusal(reason: "block kind \(i) is NULL") }
            kinds.append(try blockKind(kind, index: i, path: path))
        }
        var functions: [ForeignFunction] = []
        let functionTable = d.field(\.functions)
        for i in 0..<d.field(\.n_functions, absent: 0) {
            guard let decl = functionTable?[i] else { throw Refusal(reason: "function table is NULL") }
            functions.append(try bind(decl, handle: handle))
        }
        return LoadedLibrary(
            path: path, name: name, version: d.field(\.version).map { String(cString: $0) } ?? "unknown",
            abiVersion: "\(major).\(minor)", swiftModule: d.field(\.swift_module).map { String(cString: $0) },
            blockKinds: kinds, functions: functions)
    }

    private static func blockKind(_ pointer: UnsafePointer<mage_block_kind>, index: Int, path: String) throws -> BlockKind {
        let k = SizedStruct(pointer)
        guard k.size >= minimumBlockKindSize else {
            throw Refusal(reason: "block kind \(index) has struct_size \(k.size); ABI \(hostABI) needs at least \(minimumBlockKindSize)")
        }
        guard let cName = k.field(\.name), !String(cString: cName).isEmpty else {
            throw Refusal(reason: "block kind \(index) has no name")
        }
        let name = String(cString: cName)
        let rawType = k.field(\.block_type, absent: 0)
        guard let type = BlockType(abi: rawType) else {
            throw Refusal(reason: "block kind '\(name)' has unknown block type \(rawType)")
        }
        let functions = BlockKind.Functions(
            run: k.field(\.run), train: k.field(\.train), load: k.field(\.load), predict: k.field(\.predict),
            freeModel: k.field(\.free_model))
        if type == .model {
            guard functions.train != nil, functions.load != nil, functions.predict != nil, functions.freeModel != nil else {
                throw Refusal(reason: "model block kind '\(name)' must provide train, load, predict and free_model")
            }
        } else if functions.run == nil {
            throw Refusal(reason: "block kind '\(name)' has no run function")
        }
        var keys: [ConfigKeySpec] = []
        let keyTable = k.field(\.config_keys)
        for i in 0..<k.field(\.n_config_keys, absent: 0) {
            guard let key = keyTable?[i], let keyName = key.name else {
                throw Refusal(reason: "block kind '\(name)': configuration key \(i) has no name")
            }
            guard let spec = ConfigKeySpec(abi: key, name: String(cString: keyName)) else {
                throw Refusal(reason: "block kind '\(name)': configuration key '\(String(cString: keyName))' has unknown type \(key.type)")
            }
            keys.append(spec)
        }
        return BlockKind(name: name, type: type, description: k.field(\.description).map { String(cString: $0) } ?? "",
                         configKeys: keys, libraryPath: path, functions: functions,
                         labelKey: k.field(\.label_key).map { String(cString: $0) })
    }

    private static func bind(_ decl: mage_function_decl, handle: UnsafeMutableRawPointer) throws -> ForeignFunction {
        guard let cName = decl.name, let cSymbol = decl.symbol, let cSignature = decl.signature else {
            throw Refusal(reason: "a declared function lacks a name, symbol or signature")
        }
        let name = String(cString: cName), symbol = String(cString: cSymbol)
        guard let address = dlsym(handle, symbol) else {
            throw Refusal(reason: "function '\(name)' names symbol '\(symbol)', which the library does not export")
        }
        do {
            return try ForeignFunction(name: name, signature: String(cString: cSignature), address: address)
        } catch {
            throw Refusal(reason: "function '\(name)': \(error.message)")
        }
    }

    /// A library anyone else may rewrite is a way into every pipeline: refuse it and its folder.
    private static func checkPermissions(_ path: String) throws {
        for (what, target) in [("folder", (path as NSString).deletingLastPathComponent), ("file", path)] {
            var info = stat()
            guard stat(target, &info) == 0 else {
                throw Refusal(reason: "cannot stat \(what) \(target): \(errnoText())")
            }
            if info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
                let mode = String(info.st_mode & 0o777, radix: 8)
                throw Refusal(reason: "the \(what) \(target) is writable by group or others (mode \(mode)); run chmod go-w on it")
            }
        }
    }
}
