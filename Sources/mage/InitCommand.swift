import ArgumentParser
import Foundation
import MageHost

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a project.")

    @Argument(help: "The project folder to create.")
    var path: String

    func run() throws {
        do {
            try ProjectScaffold.create(at: URL(fileURLWithPath: path))
            print("created project \(path)")
            print("run it: mage run \(path) example_pipeline")
        } catch {
            throw fail(error)
        }
    }
}
