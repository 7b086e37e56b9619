import ArgumentParser
import Foundation
import MageHost

extension TriggersCommand {
    /// A token for an api trigger defined in triggers.yaml, which cannot hold secrets: made here, its
    /// digest stored, the token printed once.
    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give an api trigger a new token and print it once (the old one stops working).",
            discussion: "The trigger must be in the store: mage triggers sync (or the scheduler) syncs triggers.yaml into it.")

        @Argument(help: "The project folder.")
        var project: String

        @Argument(help: "The pipeline.")
        var pipeline: String

        @Argument(help: "The trigger's name.")
        var trigger: String

        func run() throws {
            do {
                let project = try Project(root: URL(fileURLWithPath: self.project))
                let store = try project.openStore()
                guard let schedule = try store.scheduleList(pipeline: pipeline).first(where: { $0.name == trigger }) else {
                    throw MageError.usage("trigger '\(trigger)' of pipeline '\(pipeline)' is not in the store yet: "
                                          + "run mage triggers sync \(self.project), or start the scheduler (mage start \(self.project) --role scheduler)")
                }
                guard schedule.definition.scheduleType == .api else {
                    throw MageError.usage("trigger '\(trigger)' is a time trigger: only api triggers (schedule_type: api) take a token")
                }
                guard let token = try TriggerToken.rotate(store, id: schedule.id) else {
                    throw MageError.usage("trigger '\(trigger)' of pipeline '\(pipeline)' was deleted meanwhile")
                }
                print(token.text)
                FileHandle.standardError.write(Data("""
                    token of trigger '\(trigger)' (pipeline schedule \(schedule.id)), shown this once: only its digest is kept.
                    curl -X POST -H 'Authorization: Bearer <token>' http://127.0.0.1:6789/api/pipeline_schedules/\(schedule.id)/api_trigger

                    """.utf8))
            } catch {
                throw fail(error)
            }
        }
    }
}
