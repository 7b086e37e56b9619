import ArgumentParser
import MageHost

/// The child side of process isolation; the host starts it, people do not.
struct ExecuteBlockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "__execute-block", shouldDisplay: false)

    /// The `mage` process that started this one: the block process dies with it.
    @Option(name: .customLong("parent-pid")) var parentPID: Int32?

    @Argument var invocation: String

    func run() throws {
        let code = BlockWorker.main(invocationPath: invocation, parentPID: parentPID)
        if code != 0 { throw ExitCode(code) }
    }
}
