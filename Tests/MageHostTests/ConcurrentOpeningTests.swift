import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// Any number of `mage` processes may open a project's store at once, the first time too: the one that
/// creates the database switches it to WAL and migrates it while the others wait for it.
@Suite struct ConcurrentOpeningTests {
    @Test func eightProcessesOpeningANewStoreAtOnceAllSucceed() throws {
        for _ in 0..<4 {
            let project = try TestEnvironment.project(pipelines: [:])
            let processes = try (0..<8).map { _ in
                let process = Process()
                process.executableURL = TestEnvironment.mage
                process.arguments = ["runs", "list", project.root.path]
                let err = Pipe()
                process.standardOutput = FileHandle.nullDevice
                process.standardError = err
                try process.run()
                return (process, err)
            }
            for (process, err) in processes {
                let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "\(message)")
            }
            let store = try SQLiteStore(path: project.databaseURL)
            #expect(try store.pipelineRunList(PipelineRunFilter(), limit: 1, offset: 0).isEmpty)
        }
    }

    @Test func storesOpenedOnEightThreadsAtOnceAllSucceed() throws {
        let path = try TemporaryFolder.make().appendingPathComponent("mage.db")
        let failures = Failures()
        let done = DispatchGroup()
        for _ in 0..<8 {
            done.enter()
            Thread.detachNewThread {
                do { _ = try SQLiteStore(path: path) } catch { failures.append("\(error)") }
                done.leave()
            }
        }
        done.wait()
        #expect(failures.all.isEmpty)
        let run = try SQLiteStore(path: path).pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["a"]))
        #expect(run.id == 1)
    }
}

private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func append(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}
