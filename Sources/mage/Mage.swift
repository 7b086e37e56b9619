import ArgumentParser
import Foundation
import MageHost

@main
struct Mage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mage",
        abstract: "SwiftMage: ML pipelines whose blocks are plugins.",
        subcommands: [InitCommand.self, RunCommand.self, PluginsCommand.self, RunsCommand.self, DatasetsCommand.self,
                      ModelsCommand.self, StartCommand.self, TriggersCommand.self, StoreCommand.self,
                      ExecuteBlockCommand.self])
}

/// Prints a host error as one line plus a hint, never a stack trace, and exits non-zero.
func fail(_ error: Error) -> ExitCode {
    if let mage = error as? MageError {
        FileHandle.standardError.write(Data("error: \(mage.description)\n".utf8))
        if let hint = mage.hint { FileHandle.standardError.write(Data("hint: \(hint)\n".utf8)) }
    } else {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    }
    return ExitCode.failure
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
