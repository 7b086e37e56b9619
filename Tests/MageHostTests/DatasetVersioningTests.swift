import Foundation
import Testing
@testable import MageHost
import MageTestSupport

@Suite struct DatasetVersioningTests {
    @Test func theHashIgnoresStorageAndFollowsTheDocumentedEncoding() throws {
        let a = Table(columns: [Column(name: "x", values: .float64([1, -0.0, .nan])), Column(name: "churn", values: .int64([1, 0, 1]))])
        var b = a
        b.columns[0].values = .float64([1, 0.0, -.nan])
        #expect(CanonicalTableHash.hash(a) == CanonicalTableHash.hash(b), "-0.0 and every NaN are canonical")
        var c = a
        c.columns[1].validity = [true, false, true]
        #expect(CanonicalTableHash.hash(a) != CanonicalTableHash.hash(c), "a null is not a value")
        // The documented encoding, written out by hand for a one-column, one-row table.
        var bytes = Array("swiftmage.table.v1\n".utf8)
        for n: UInt64 in [1, 1, 1] { withUnsafeBytes(of: n.littleEndian) { bytes += $0 } }
        bytes += Array("v".utf8) + Array("l".utf8) + [1]
        withUnsafeBytes(of: Int64(7).littleEndian) { bytes += $0 }
        let expected = try TestEnvironment.runShell(input: bytes, "sha256sum").1.prefix(64)
        #expect(CanonicalTableHash.hash(Table(columns: [Column(name: "v", values: .int64([7]))])) == "sha256:\(expected)")
    }

    @Test func aVersioningFailureFailsTheAttemptAndIsRetried() async throws {
        let harness = try ExecutorTests.Harness(pipelines: ["p": """
            blocks:
            - {uuid: numbers, type: data_loader, plugin: c_numbers, retry_config: {retries: 1, delay: 0}}
            - {uuid: copy, type: transformer, plugin: c_passthrough, upstream_blocks: [numbers]}
            """], fixtures: ["c_features"])
        // A file where the datasets folder should be: storing the object cannot work.
        try Data().write(to: harness.project.root.appendingPathComponent("datasets"))
        let summary = try await harness.run("p")
        let numbers = try #require(summary.blocks.first { $0.block == "numbers" })
        #expect(numbers.status == .failed)
        #expect(numbers.attempts == 2)
        #expect(numbers.error?.hasPrefix("data versioning failed: ") == true)
        #expect(numbers.error?.contains("Error Domain") == false, "one readable line, not an NSError dump")
        #expect(summary.blocks.first { $0.block == "copy" }?.status == .upstreamFailed)
        #expect(summary.run.status == .failed)
    }

    @Test func versionsAreUniqueAndIdenticalDataIsStoredOnce() throws {
        let project = try TestEnvironment.project(pipelines: [:])
        let store = try SQLiteStore(path: project.databaseURL)
        let output = try TemporaryFolder.make()
        try TableFile.write(Table(columns: [Column(name: "x", values: .float64([1, 2, 3, 4])),
                                            Column(name: "churn", values: .int64([1, 0, 0, 0]))]), to: output)
        let versioning = DatasetVersioning(project: project, store: store)
        let second = Date(timeIntervalSince1970: 1_800_000_000)
        let first = try versioning.version(outputDirectory: output, pipelineRunID: 1, block: "load", at: second)
        let again = try versioning.version(outputDirectory: output, pipelineRunID: 2, block: "load", at: second)
        #expect(first.version == "data_v_20270115_080000")
        #expect(again.version == "data_v_20270115_080000_2")
        #expect(first.hash == again.hash)
        #expect(first.labelRate == 0.25 && first.label == "churn")
        #expect(first.features == ["x"] && first.featureCount == 1 && first.rowCount == 4)
        let objects = try FileManager.default.contentsOfDirectory(atPath: versioning.objectsDirectory.path)
        #expect(objects == [String(first.hash.dropFirst(7))])
        #expect(try TableFile.read(from: project.root.appendingPathComponent(first.path)).rowCount == 4)
        let json = String(decoding: try JSON.encode(first), as: UTF8.self)
        #expect(json.contains("\"churn_rate\" : 0.25"))
        #expect(try store.datasetVersionList(pipelineRunID: nil, limit: 10).map(\.version) == [again.version, first.version])
    }

    /// A killed process's staging folder is removed by the next versioning once it is an hour old; one
    /// being written now is left alone.
    @Test func abandonedStagingFoldersAreRemovedAndFreshOnesKept() throws {
        let project = try TestEnvironment.project(pipelines: [:])
        let versioning = DatasetVersioning(project: project, store: try SQLiteStore(path: project.databaseURL))
        let fm = FileManager.default
        let abandoned = versioning.objectsDirectory.appendingPathComponent(".abc.123.456.tmp")
        let fresh = versioning.objectsDirectory.appendingPathComponent(".def.123.789.tmp")
        for folder in [abandoned, fresh] {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("partial".utf8).write(to: folder.appendingPathComponent("output.csv"))
        }
        try fm.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * DatasetVersioning.abandonedAfter)], ofItemAtPath: abandoned.path)
        let output = try TemporaryFolder.make()
        try TableFile.write(Table(columns: [Column(name: "x", values: .float64([5, 6]))]), to: output)
        _ = try versioning.version(outputDirectory: output, pipelineRunID: 1, block: "load")
        #expect(!fm.fileExists(atPath: abandoned.path))
        #expect(fm.fileExists(atPath: fresh.path))
    }
}
