import Foundation
import MageHost
import MageModels

// Times the Models plugin's random forest (fit + predict of the test split) on the project's churn data and
// writes the same train/test split as CSV for scripts/compare_sklearn.py. One JSON line per size.
//
// usage: models-bench [--sizes 1000,100000,1000000] [--out DIR] [--trees 100] [--depth 10|none]
//                     [--threads N] [--repeat R] [--random-state S] [--no-csv]

var sizes = [1000, 100_000, 1_000_000]
var outDir = "bench-data"
var trees = 100
var depth: Int? = 10
var threads: Int? = nil
var repeats = 1
var writeCSV = true
var randomState: UInt64 = 42
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let flag = arguments.next() {
    switch flag {
    case "--sizes": sizes = arguments.next()!.split(separator: ",").map { Int($0.replacingOccurrences(of: "_", with: ""))! }
    case "--out": outDir = arguments.next()!
    case "--trees": trees = Int(arguments.next()!)!
    case "--depth": depth = Int(arguments.next()!)
    case "--threads": threads = Int(arguments.next()!)
    case "--repeat": repeats = Int(arguments.next()!)!
    case "--no-csv": writeCSV = false
    case "--random-state": randomState = UInt64(arguments.next()!)!
    default:
        FileHandle.standardError.write("unknown argument \(flag)\n".data(using: .utf8)!)
        exit(2)
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// CPU seconds used by the whole process so far (all threads): a contention-robust cost measure
/// on a shared machine, where wall time depends on what else runs.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Writes features + label as CSV with shortest round-trip numbers, so Python reads identical doubles.
func writeCSV(_ data: Dataset, to path: String) throws {
    var text = (data.featureNames + ["churn"]).joined(separator: ",") + "\n"
    text.reserveCapacity(data.nRows * 120)
    let d = data.nFeatures
    data.features.withUnsafeBufferPointer { x in
        for i in 0..<data.nRows {
            for f in 0..<d {
                text += "\(x[i * d + f])"
                text += ","
            }
            text += data.labels[i] == 1 ? "1\n" : "0\n"
        }
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

/// The project's churn data, made by the real `churn_synthetic` plugin through the host (in process).
func churnData(rows: Int) async throws -> Dataset {
    let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("model-bench-\(getpid())-\(rows)")
    defer { try? FileManager.default.removeItem(at: work) }
    let plugins = work.appendingPathComponent("plugins")
    try FileManager.default.createDirectory(at: plugins.deletingLastPathComponent().appendingPathComponent("pipelines/data"),
                                            withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    let library = Executable.url!.deletingLastPathComponent().appendingPathComponent("libMageDataLoaders.so")
    try FileManager.default.copyItem(at: library, to: plugins.appendingPathComponent(library.lastPathComponent))
    try "project_uuid: bench\n".write(to: work.appendingPathComponent("metadata.yaml"), atomically: true, encoding: .utf8)
    try "isolation: in_process\nblocks:\n- {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, configuration: {rows: \(rows), seed: 42}}\n"
        .write(to: work.appendingPathComponent("pipelines/data/metadata.yaml"), atomically: true, encoding: .utf8)
    let project = try Project(root: work)
    let catalog = PluginCatalog(directories: [plugins], hashFiles: false)
    let executor = PipelineExecutor(project: project, catalog: catalog, store: try SQLiteStore(path: project.databaseURL),
                                    options: ExecutionOptions(pluginDirectories: [plugins], executorCount: 1))
    let summary = try await executor.run(try PipelineLoader(project: project, catalog: catalog).load("data"))
    guard let output = summary.blocks.first?.outputPath else { throw MageError.io("the loader made no table") }
    let table = try TableFile.read(from: URL(fileURLWithPath: output))
    var columns: [[Double]] = [], names: [String] = [], labels: [Int] = []
    for column in table.columns {
        switch column.values {
        case .float64(let v) where column.name != "churn": columns.append(v); names.append(column.name)
        case .int64(let v) where column.name == "churn": labels = v.map { Int($0) }
        default: break
        }
    }
    return try Dataset(columns: columns, featureNames: names, labels: labels)
}

try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
for rows in sizes {
    let data = try await churnData(rows: rows)
    let (train, test, _) = try data.split()
    if writeCSV {
        try writeCSV(train, to: "\(outDir)/churn_\(rows)_train.csv")
        try writeCSV(test, to: "\(outDir)/churn_\(rows)_test.csv")
    }
    var preprocessor: Preprocessor!
    var trainX: Dataset!, testX: Dataset!
    let preprocessSeconds = try seconds {
        preprocessor = try Preprocessor.fit(train)
        trainX = try preprocessor.transform(train)
        testX = try preprocessor.transform(test)
    }
    let parameters = RandomForestParameters(nEstimators: trees, maxDepth: depth, randomState: randomState)
    var forest: RandomForestClassifier!
    var probabilities = [Double]()
    var fitTimes = [Double](), predictTimes = [Double](), fitCPU = [Double]()
    for _ in 0..<repeats {
        let cpuStart = cpuSeconds()
        fitTimes.append(try seconds { forest = try RandomForestClassifier.fit(trainX, parameters: parameters, threads: threads) })
        fitCPU.append(cpuSeconds() - cpuStart)
        predictTimes.append(try seconds {
            probabilities = try forest.predictProbabilities(rows: testX.features, nRows: testX.nRows)
        })
    }
    let report = ClassificationReport(labels: test.labels, positiveProbabilities: Metrics.positiveProbabilities(probabilities))
    var artifactBytes = 0
    let serializeSeconds = try seconds {
        artifactBytes = try ModelArtifact.encode(.randomForest(forest, preprocessor)).count
    }
    var logistic: LogisticRegression!
    let logisticSeconds = try seconds { logistic = try LogisticRegression.fit(trainX, threads: threads) }
    let logisticAUC = Metrics.rocAUC(labels: test.labels,
        scores: Metrics.positiveProbabilities(try logistic.predictProbabilities(rows: testX.features, nRows: testX.nRows)))
    let nodes = forest.trees.reduce(0) { $0 + $1.nodeCount }
    let result: [String: Any] = [
        "rows": rows, "n_train": train.nRows, "n_test": test.nRows,
        "churn_rate": Double(data.labels.reduce(0, +)) / Double(rows),
        "preprocess_s": preprocessSeconds, "rf_fit_s": fitTimes.min()!, "rf_fit_cpu_s": fitCPU.min()!, "rf_predict_s": predictTimes.min()!,
        "rf_auc": report.rocAUC ?? 0, "rf_accuracy": report.accuracy, "rf_f1": report.f1,
        "rf_nodes": nodes, "artifact_bytes": artifactBytes, "serialize_s": serializeSeconds,
        "lr_fit_s": logisticSeconds, "lr_auc": logisticAUC ?? 0, "lr_iterations": logistic.iterations,
        "importances": Dictionary(uniqueKeysWithValues: zip(forest.featureNames, forest.featureImportances)),
    ]
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    FileHandle.standardOutput.write(json + Data("\n".utf8))  // unbuffered: the driver reads line by line
}
