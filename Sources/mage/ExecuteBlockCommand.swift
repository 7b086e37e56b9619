import ArgumentParser
import MageHost

/// The child side of process isolation; the host starts it, people do not.
struct ExecuteBlockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "__execute-block", shouldDisplay: false)

    @Argument var invocation: String

    func run() throws {
        let code = BlockWorker.main(invocationPath: invocation)
        if code != 0 { throw ExitCode(code) }
    }
}
