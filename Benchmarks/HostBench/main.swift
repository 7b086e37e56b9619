import Foundation
import MageHost
import PluginAPI

// `make bench`: host overheads, each printed beside a reference measured in the same run.
// Usage: mage-bench <folder of fixture plugin sources>

@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

/// Hides a value from the optimizer, so a reference call is really made.
@_optimize(none) func opaque<T>(_ value: T) -> T { value }

func nanoseconds(iterations: Int, _ body: () -> Void) -> Double {
    body()  // warm up
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations { body() }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func row(_ name: String, _ value: Double, unit: String, reference: String, _ referenceValue: Double) {
    let ratio = referenceValue > 0 ? value / referenceValue : .nan
    print(String(format: "%-44@ %10.1f %-3@ | %-34@ %10.1f %-3@ | x%.2f",
                 name as NSString, value, unit as NSString, reference as NSString, referenceValue, unit as NSString, ratio))
}

func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw MageError.io("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
    }
}

let sources = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Tests/MageHostTests/Fixtures/plugins")
let binDirectory = Executable.url!.deletingLastPathComponent()
let mage = binDirectory.appendingPathComponent("mage")
let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mage-bench-\(getpid())")
let plugins = work.appendingPathComponent("plugins")
try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
defer { try? FileManager.default.removeItem(at: work) }
let include = sources.appendingPathComponent("../../../../Sources/PluginAPI/include").standardizedFileURL
for name in ["noop", "c_features"] {
    let cc = Process()
    cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    cc.arguments = ["cc", "-std=c99", "-O2", "-shared", "-fPIC", "-I", include.path,
                    sources.appendingPathComponent("\(name).c").path, "-o", plugins.appendingPathComponent("lib\(name).so").path]
    try cc.run()
    cc.waitUntilExit()
}
for name in ["MageDataLoaders", "MageTransformers"] {
    try FileManager.default.copyItem(at: binDirectory.appendingPathComponent("lib\(name).so"),
                                     to: plugins.appendingPathComponent("lib\(name).so"))
}

print("SwiftMage host benchmark (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
print(String(repeating: "-", count: 118))

// 0. Discovering and loading every plugin in this process, the first (cold) time.
let coldStart = DispatchTime.now().uptimeNanoseconds
let catalog = PluginCatalog(directories: [plugins])
let coldLoad = Double(DispatchTime.now().uptimeNanoseconds - coldStart) / 1e6

// 1. A block call through the plugin's descriptor, beside a call through a Swift-defined C function pointer.
let transform = try catalog.blockKind(named: "noop_transform").functions.run!
let output = UnsafeMutablePointer<mage_table>.allocate(capacity: 1)
output.initialize(to: mage_table())
let callIterations = 5_000_000
let viaDescriptor = nanoseconds(iterations: callIterations) { blackHole(transform(nil, nil, 0, output)) }
let swiftFunction: mage_block_run_fn = opaque({ _, _, _, _ in 0 })
let direct = nanoseconds(iterations: callIterations) { blackHole(swiftFunction(nil, nil, 0, output)) }
row("block call through the descriptor", viaDescriptor, unit: "ns", reference: "same-shape Swift C-pointer call", direct)

// 2. A declared C function through libffi, beside the same function called through a typed pointer.
let add = catalog.functions["add"]!
let args = UnsafeMutablePointer<Double>.allocate(capacity: 2)
args.initialize(from: [1, 2], count: 2)
let viaFFI = nanoseconds(iterations: callIterations) { blackHole(add.call(args)) }
let handle = dlopen(plugins.appendingPathComponent("libnoop.so").path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)
let typed = opaque(unsafeBitCast(dlsym(handle, "noop_add"), to: (@convention(c) (Double, Double) -> Double).self))
let viaPointer = nanoseconds(iterations: callIterations) { blackHole(typed(args[0], args[1])) }
row("libffi call double(double,double)", viaFFI, unit: "ns", reference: "typed C function pointer call", viaPointer)

// 3. Discovering and loading every plugin: cold in this process, and in a fresh process beside that
// process doing nothing.
print(String(format: "%-44@ %10.1f ms  (dlopen, ABI checks, libffi binding, SHA-256 of each)",
             "load \(catalog.libraries.count) plugin libraries, cold, in process" as NSString, coldLoad))
let listRuns = 10
let discover = try seconds { for _ in 0..<listRuns { try run(mage, ["plugins", "list", "--json"], environment: ["MAGE_PLUGIN_PATH": plugins.path]) } }
let bare = try seconds { for _ in 0..<listRuns { try run(mage, ["--help"]) } }
row("mage plugins list (\(catalog.libraries.count) libraries, 1 process)", discover / Double(listRuns) * 1000, unit: "ms",
    reference: "mage --help (process start)", bare / Double(listRuns) * 1000)

// 4. A five-block pipeline of no-op blocks, in-process beside isolated.
func pipeline(_ isolation: String) -> String {
    """
    isolation: \(isolation)
    blocks:
    - {uuid: b1, type: data_loader, plugin: noop_loader}
    - {uuid: b2, type: transformer, plugin: noop_transform, upstream_blocks: [b1]}
    - {uuid: b3, type: transformer, plugin: noop_transform, upstream_blocks: [b2]}
    - {uuid: b4, type: transformer, plugin: noop_transform, upstream_blocks: [b3]}
    - {uuid: b5, type: transformer, plugin: noop_transform, upstream_blocks: [b4]}
    """
}
let projectRoot = work.appendingPathComponent("project")
for isolation in ["in_process", "process"] {
    let folder = projectRoot.appendingPathComponent("pipelines/noop_\(isolation)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try pipeline(isolation).write(to: folder.appendingPathComponent("metadata.yaml"), atomically: true, encoding: .utf8)
}
try "project_uuid: bench\n".write(to: projectRoot.appendingPathComponent("metadata.yaml"), atomically: true, encoding: .utf8)
let project = try Project(root: projectRoot)
let store = try SQLiteStore(path: project.databaseURL)
func pipelineMilliseconds(_ uuid: String, runs: Int) async throws -> Double {
    let loaded = try PipelineLoader(project: project, catalog: catalog).load(uuid)
    let executor = PipelineExecutor(project: project, catalog: catalog, store: store, options: ExecutionOptions(
        workerExecutable: mage, pluginDirectories: [plugins], executorCount: 20))
    _ = try await executor.run(loaded)
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<runs {
        let summary = try await executor.run(loaded)
        guard summary.run.status == .completed else { throw MageError.io("bench pipeline \(uuid) failed") }
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(runs)
}
let isolated = try await pipelineMilliseconds("noop_process", runs: 20)
let inProcess = try await pipelineMilliseconds("noop_in_process", runs: 50)
row("5 no-op blocks, isolated (ms per run)", isolated, unit: "ms", reference: "5 no-op blocks, in-process", inProcess)

// 5. The demo's deployed model (random forest) through the Models plugin's ABI, as the prediction service
// calls it: one 1,000-row batch beside the same 1,000 rows predicted one call at a time.
let demo = work.appendingPathComponent("demo")
let demoSource = sources.appendingPathComponent("../../../../mlops_demo").standardizedFileURL
try FileManager.default.createDirectory(at: demo, withIntermediateDirectories: true)
for item in ["metadata.yaml", "pipelines"] {
    try FileManager.default.copyItem(at: demoSource.appendingPathComponent(item), to: demo.appendingPathComponent(item))
}
try run(mage, ["run", demo.path, "demo_mlops"])
let demoCatalog = PluginCatalog(directories: PluginCatalog.searchPath(project: demo), hashFiles: false)
guard let pointer = try ModelRegistry(project: try Project(root: demo), store: try SQLiteStore(path: demo.appendingPathComponent(".mage_data/mage.db"))).latest(),
      let metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: demo.appendingPathComponent(pointer.path).appendingPathComponent("metadata.json"))) as? [String: Any],
      let modelKind = metadata["block_kind"] as? String else {
    throw MageError.io("the demo pipeline deployed no model")
}
let model = try LoadedModel(kind: try demoCatalog.blockKind(named: modelKind), directory: demo.appendingPathComponent(pointer.path))
let runsFolder = demo.appendingPathComponent(".mage_data/pipelines/demo_mlops/runs")
let firstRun = try FileManager.default.contentsOfDirectory(atPath: runsFolder.path).sorted().first!
let dataset = try TableFile.read(from: runsFolder.appendingPathComponent(firstRun).appendingPathComponent("make_dataset"))
let signature = try JSONSerialization.jsonObject(with: Data(contentsOf: demo.appendingPathComponent(pointer.path).appendingPathComponent("signature.json"))) as! [String: Any]
let featureNames = (signature["features"] as! [[String: Any]]).map { $0["name"] as! String }
let batchRows = 1_000
var batch = [Double]()
for r in 0..<batchRows {
    for name in featureNames {
        switch dataset.column(named: name)!.values {
        case .float64(let v): batch.append(v[r % v.count])
        case .int64(let v): batch.append(Double(v[r % v.count]))
        default: throw MageError.io("feature \(name) is not numeric")
        }
    }
}
let batchRepeats = 200
let batchTime = try seconds { for _ in 0..<batchRepeats { blackHole(try model.predict(rows: batch)) } } / Double(batchRepeats)
let singleTime = try seconds {
    for _ in 0..<(batchRepeats / 10) {
        for r in 0..<batchRows { blackHole(try model.predict(rows: Array(batch[(r * featureNames.count)..<((r + 1) * featureNames.count)]))) }
    }
} / Double(batchRepeats / 10)
row("\(modelKind): 1,000-row batch, model time", batchTime * 1000, unit: "ms", reference: "1,000 one-row calls", singleTime * 1000)
