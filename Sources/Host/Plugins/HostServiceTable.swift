import Foundation
import PluginAPI

/// The one `mage_host_api` this process hands to every plugin. Allocated once and never freed: plugins
/// may keep the pointer for the life of the process.
enum HostServiceTable {
    nonisolated(unsafe) static let pointer: UnsafePointer<mage_host_api> = {
        let table = UnsafeMutablePointer<mage_host_api>.allocate(capacity: 1)
        table.initialize(to: make())
        return UnsafePointer(table)
    }()

    private static func make() -> mage_host_api {
        var api = mage_host_api()
        api.struct_size = UInt32(MemoryLayout<mage_host_api>.size)
        api.abi_major = UInt16(MAGE_ABI_MAJOR)
        api.abi_minor = UInt16(MAGE_ABI_MINOR)

        api.log = { ctx, level, message in
            guard let context = BlockContext.from(ctx), let message else { return }
            context.log(BlockContext.LogLevel(rawValue: level) ?? .info, String(cString: message))
        }
        api.set_error = { ctx, message in
            BlockContext.from(ctx)?.setError(message.map { String(cString: $0) } ?? "unknown error")
        }
        api.config_string = { ctx, key, out in
            guard case .string(let s)? = HostServiceTable.value(ctx, key), let context = BlockContext.from(ctx) else { return 0 }
            out?.pointee = context.borrow(s)
            return 1
        }
        api.config_int = { ctx, key, out in
            guard case .int(let v)? = HostServiceTable.value(ctx, key) else { return 0 }
            out?.pointee = v
            return 1
        }
        api.config_double = { ctx, key, out in
            switch HostServiceTable.value(ctx, key) {
            case .double(let v)?: out?.pointee = v
            case .int(let v)?: out?.pointee = Double(v)
            default: return 0
            }
            return 1
        }
        api.config_bool = { ctx, key, out in
            guard case .bool(let v)? = HostServiceTable.value(ctx, key) else { return 0 }
            out?.pointee = v ? 1 : 0
            return 1
        }
        api.config_list_count = { ctx, key, out in
            guard case .list(let items)? = HostServiceTable.value(ctx, key) else { return 0 }
            out?.pointee = items.count
            return 1
        }
        api.config_list_item = { ctx, key, index, out in
            guard case .list(let items)? = HostServiceTable.value(ctx, key), index < items.count,
                  case .string(let s) = items[index], let context = BlockContext.from(ctx) else { return 0 }
            out?.pointee = context.borrow(s)
            return 1
        }
        api.config_json = { ctx, key in
            guard let v = HostServiceTable.value(ctx, key), let context = BlockContext.from(ctx) else { return nil }
            return context.borrow(v.jsonText)
        }
        api.artifact_dir = { ctx in
            guard let context = BlockContext.from(ctx) else { return nil }
            return context.borrow(context.artifactDirectory)
        }
        api.report_facet = { ctx, name, json in
            guard let context = BlockContext.from(ctx), let name, let json else { return Int32(MAGE_ERROR_INVALID_INPUT) }
            return context.addFacet(name: String(cString: name), json: String(cString: json))
                ? Int32(MAGE_OK) : Int32(MAGE_ERROR_INVALID_INPUT)
        }

        api.table_builder_new = { TableBuilder().cPointer }
        api.builder_add_float64 = { b, name, values, valid, length in
            HostServiceTable.add(b, name, length) { n in
                .float64(values.map { Array(UnsafeBufferPointer(start: $0, count: n)) } ?? Array(repeating: 0, count: n))
            } validity: { TableBuilder.validity(valid, $0) }
        }
        api.builder_add_int64 = { b, name, values, valid, length in
            HostServiceTable.add(b, name, length) { n in
                .int64(values.map { Array(UnsafeBufferPointer(start: $0, count: n)) } ?? Array(repeating: 0, count: n))
            } validity: { TableBuilder.validity(valid, $0) }
        }
        api.builder_add_bool = { b, name, values, valid, length in
            HostServiceTable.add(b, name, length) { n in
                .bool((0..<n).map { values?[$0] ?? 0 != 0 })
            } validity: { TableBuilder.validity(valid, $0) }
        }
        api.builder_add_utf8 = { b, name, values, length in
            HostServiceTable.add(b, name, length) { n in
                .utf8((0..<n).map { values?[$0].map { String(cString: $0) } ?? "" })
            } validity: { n in
                guard let values else { return nil }
                let flags = (0..<n).map { values[$0] != nil }
                return flags.allSatisfy { $0 } ? nil : flags
            }
        }
        api.builder_finish = { b, out in
            guard let b else { return Int32(MAGE_ERROR_INVALID_INPUT) }
            let builder = TableBuilder.take(b)
            guard let out, builder.problem == nil else { return Int32(MAGE_ERROR_INVALID_INPUT) }
            Table(columns: builder.columns, metadata: builder.metadata).exportArrow(into: out)
            return Int32(MAGE_OK)
        }
        api.builder_free = { b in
            if let b { _ = TableBuilder.take(b) }
        }
        api.lineage_json = { ctx in
            BlockContext.from(ctx)?.service("lineage_json") { try $0.lineageJSON() }
        }
        api.register_model = { ctx, block, version in
            guard let context = BlockContext.from(ctx) else { return Int32(MAGE_ERROR_INVALID_INPUT) }
            let name = block.map { String(cString: $0) }
            guard let registered = context.service("register_model", { try $0.registerModel(name) }) else {
                return Int32(MAGE_ERROR)
            }
            version?.pointee = registered
            return Int32(MAGE_OK)
        }
        api.deploy_model = { ctx, version in
            guard let context = BlockContext.from(ctx) else { return Int32(MAGE_ERROR_INVALID_INPUT) }
            let name = version.map { String(cString: $0) }
            return context.service("deploy_model", { try $0.deployModel(name) }) == nil ? Int32(MAGE_ERROR) : Int32(MAGE_OK)
        }
        api.declare_model_signature = { ctx, label, features, count in
            guard let context = BlockContext.from(ctx), let label else { return Int32(MAGE_ERROR_INVALID_INPUT) }
            var names: [String]?
            if count > 0 {
                guard let features else {
                    context.setError("declare_model_signature: \(count) features but no array")
                    return Int32(MAGE_ERROR_INVALID_INPUT)
                }
                names = []
                for i in 0..<count {
                    guard let name = features[i] else {
                        context.setError("declare_model_signature: feature \(i) is NULL")
                        return Int32(MAGE_ERROR_INVALID_INPUT)
                    }
                    names?.append(String(cString: name))
                }
            }
            return context.declareSignature(label: String(cString: label), features: names)
                ? Int32(MAGE_OK) : Int32(MAGE_ERROR_INVALID_INPUT)
        }
        api.builder_set_metadata = { b, key, value in
            guard let b, let key, let value else { return Int32(MAGE_ERROR_INVALID_INPUT) }
            TableBuilder.borrow(b).metadata[String(cString: key)] = String(cString: value)
            return Int32(MAGE_OK)
        }

        api.function_find = { ctx, name in
            guard let context = BlockContext.from(ctx), let name else { return nil }
            let wanted = String(cString: name)
            guard let function = context.functions[wanted] else {
                let known = context.functions.keys.sorted().joined(separator: ", ")
                context.setError("no loaded plugin declares a function named '\(wanted)' (declared: \(known.isEmpty ? "none" : known))")
                return nil
            }
            return OpaquePointer(Unmanaged.passUnretained(function).toOpaque())
        }
        api.function_arity = { fn in
            guard let fn else { return 0 }
            return HostServiceTable.foreignFunction(fn).arity
        }
        api.function_call = { fn, args, result in
            guard let fn, let result else { return Int32(MAGE_ERROR_INVALID_INPUT) }
            let function = HostServiceTable.foreignFunction(fn)
            if function.arity > 0 && args == nil { return Int32(MAGE_ERROR_INVALID_INPUT) }
            var none = 0.0
            result.pointee = function.call(args ?? withUnsafePointer(to: &none) { $0 })
            return Int32(MAGE_OK)
        }
        return api
    }

    fileprivate static func value(_ ctx: OpaquePointer?, _ key: UnsafePointer<CChar>?) -> ConfigValue? {
        guard let context = BlockContext.from(ctx), let key else { return nil }
        let v = context.configuration[String(cString: key)]
        return v == .null ? nil : v
    }

    fileprivate static func foreignFunction(_ pointer: OpaquePointer) -> ForeignFunction {
        Unmanaged<ForeignFunction>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }

    fileprivate static func add(_ b: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ length: Int64,
                            values: (Int) -> ColumnValues, validity: (Int) -> [Bool]?) -> Int32 {
        guard let b, let name, length >= 0 else { return Int32(MAGE_ERROR_INVALID_INPUT) }
        let n = Int(length)
        return TableBuilder.borrow(b).add(Column(name: String(cString: name), values: values(n), validity: validity(n)))
    }
}
