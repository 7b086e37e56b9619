import Foundation

/// The scheduler role: every `interval` seconds it syncs changed triggers.yaml files into the store,
/// creates the runs that are due as `initial` runs with their execution date (the run dispatcher
/// executes them), and stamps SLA misses. Every write is guarded: a tick's run exists once (a unique
/// key), and a trigger's cursor moves only from the version read, so several schedulers, or one
/// restarted, never create a tick twice.
public final class Scheduler: @unchecked Sendable {
    let project: Project
    let catalog: PluginCatalog
    let store: any MetadataStore
    public let interval: Double
    /// How old a due tick may be and still count as on time rather than missed (see `TickPlanner`).
    public let onTimeWithin: Double
    let log: @Sendable (String) -> Void
    let runsCreated: @Sendable () -> Void
    let sync: TriggerSync

    private let lock = NSLock()
    /// What was last logged about each trigger, so a steady problem is logged once, not every tick.
    private var lastNote: [Int64: String] = [:]
    /// The soonest tick of any active trigger after the last pass: the loop wakes for it rather than
    /// waiting for its next interval, so a run starts within milliseconds of its tick.
    private var soonest: Date?
    /// Each trigger validated once per version of its definition, not on every pass.
    private var validated: [Int64: (updatedAt: Date, definition: ScheduleDefinition, trigger: Result<Trigger, TriggerRefused>)] = [:]
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation

    public init(project: Project, catalog: PluginCatalog, store: any MetadataStore, interval: Double = 1,
                log: @escaping @Sendable (String) -> Void = { _ in }, runsCreated: @escaping @Sendable () -> Void = {}) {
        self.project = project
        self.catalog = catalog
        self.store = store
        self.interval = interval
        onTimeWithin = max(5, 3 * interval)
        self.log = log
        self.runsCreated = runsCreated
        sync = TriggerSync(project: project, store: store)
        (wakeups, wakeup) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Ticks at once (a trigger was created or changed in this process).
    public func wake() { wakeup.yield() }

    /// Ticks until cancelled. A failing store is logged and retried on the next tick.
    public func run() async {
        var wakeups = self.wakeups.makeAsyncIterator()
        while !Task.isCancelled {
            let started = Date()
            do {
                try tick(now: started)
            } catch {
                log("scheduler tick failed: \(MageError.describe(error))")
            }
            // The next pass: at the soonest due tick, else after the interval (the sync of changed files and
            // the SLA stamps run at least that often), or sooner when woken.
            var delay = interval - Date().timeIntervalSince(started).truncatingRemainder(dividingBy: interval)
            if let soonest = lock.withLock({ soonest }) { delay = min(delay, max(0, soonest.timeIntervalSinceNow)) }
            let timer = Task { [wakeup] in
                try? await Task.sleep(for: .seconds(delay))
                wakeup.yield()
            }
            // Returns at once when the task is cancelled.
            _ = await wakeups.next()
            timer.cancel()
        }
    }

    /// One pass: sync, create due runs, stamp SLA misses. Returns the runs created.
    @discardableResult
    public func tick(now: Date) throws -> [PipelineRun] {
        if let outcome = try sync.syncIfChanged(at: now) {
            for (pipeline, report) in outcome.reports.sorted(by: { $0.key < $1.key }) {
                log("triggers of '\(pipeline)' synced: created \(Self.names(report.created)), updated \(Self.names(report.updated)), deleted \(Self.names(report.deleted))")
            }
            for problem in outcome.problems { log("trigger refused: \(problem)") }
        }
        var created: [PipelineRun] = []
        var soonest: Date?
        for schedule in try store.scheduleList(pipeline: nil) where schedule.definition.scheduleType == .time {
            let (runs, next) = try advance(schedule, now: now)
            created += runs
            // A tick already due but held back (the run limit) waits for the interval, not a busy loop.
            if let next, next > now { soonest = min(next, soonest ?? next) }
        }
        lock.withLock { self.soonest = soonest }
        if !created.isEmpty { runsCreated() }
        for run in try store.pipelineRunsMarkSLAMissed(at: now) {
            log("run \(run.id) of pipeline '\(run.pipeline)' missed its SLA (due \(run.trigger?.slaDueAt.map { UTCTimestamp($0).text() } ?? "?"))")
        }
        return created
    }

    /// Creates one trigger's due runs; returns them and the trigger's next tick after them.
    private func advance(_ schedule: PipelineSchedule, now: Date) throws -> ([PipelineRun], Date?) {
        let trigger: Trigger
        switch validatedTrigger(schedule) {
        case .success(let valid): trigger = valid
        case .failure(let refused):
            note(schedule, "trigger '\(schedule.name)' of '\(schedule.pipeline)' cannot be scheduled: \(refused)")
            return ([], nil)
        }
        let limited = trigger.settings.skipIfPreviousRunning || trigger.settings.pipelineRunLimit != nil
        let inProgress = limited && trigger.status == .active
            ? try store.pipelineRunCount(PipelineRunFilter(statuses: [.initial, .running], scheduleID: schedule.id)) : 0
        let plan = TickPlanner.plan(trigger, schedule: schedule, now: now, inProgress: inProgress, onTimeWithin: onTimeWithin)
        if let message = plan.note { note(schedule, "trigger '\(schedule.name)' of '\(schedule.pipeline)': \(message)") }
        let cursor = plan.through ?? schedule.scheduledThrough
        let next = trigger.status == .active ? cursor.flatMap { trigger.nextRun(after: $0, hasRun: true) } : nil
        guard let through = plan.through else { return ([], next) }
        var version = schedule.cursorVersion
        var created: [PipelineRun] = []
        if plan.executionDates.isEmpty {
            _ = try store.scheduleTick(ScheduleTick(scheduleID: schedule.id, fromVersion: version, through: through, run: nil))
            return ([], next)
        }
        let params: PipelineRunCreateParams
        switch runParams(trigger, now: now) {
        case .success(let made): params = made
        case .failure(let refused):
            // The ticks wait (the cursor stays) until the trigger or the pipeline is mended; catch_up then applies.
            note(schedule, "trigger '\(schedule.name)' of '\(schedule.pipeline)' cannot be scheduled: \(refused.problems.joined(separator: "; "))")
            return ([], nil)
        }
        for (index, date) in plan.executionDates.enumerated() {
            let last = index == plan.executionDates.count - 1
            var run = params
            run.trigger = RunTrigger(scheduleID: schedule.id, executionDate: date, timeout: trigger.settings.timeout,
                                     timeoutStatus: trigger.settings.timeoutStatus, slaDueAt: trigger.sla.map { date.addingTimeInterval($0) })
            let tick = ScheduleTick(scheduleID: schedule.id, fromVersion: version, through: last ? through : date, run: run)
            // Nil: another scheduler moved the cursor first (it makes these runs), or the tick has its run.
            guard let run = try store.scheduleTick(tick) else { break }
            version += 1
            created.append(run)
            log("run \(run.id) of pipeline '\(run.pipeline)' created by trigger '\(trigger.name)' for \(UTCTimestamp(date).text())")
        }
        return (created, next)
    }

    /// A tick's run, without its trigger fields: the trigger's variables, checked against the pipeline's
    /// declared ones as a request's are, and the pipeline's blocks. A pipeline that does not load with them
    /// still gets its run, with no blocks: the dispatcher fails it with the reason, where users look.
    func runParams(_ trigger: Trigger, now: Date) -> Result<PipelineRunCreateParams, TriggerRefused> {
        let pipeline: Pipeline
        do {
            pipeline = try PipelineLoader(project: project, catalog: catalog).load(trigger.pipeline, variables: trigger.variables)
        } catch {
            return .success(PipelineRunCreateParams(pipeline: trigger.pipeline, variables: trigger.variables, blocks: [], createdAt: now))
        }
        let problems = RuntimeVariables.problems(trigger.variables, declared: pipeline.declaredVariables)
        guard problems.isEmpty else { return .failure(TriggerRefused(problems: problems.map { "variables.\($0.variable): \($0.message)" })) }
        return .success(PipelineRunCreateParams(pipeline: trigger.pipeline, variables: pipeline.variables, blocks: pipeline.blocks.map(\.uuid),
                                                retryOnHostFailure: pipeline.retryOnHostFailure, createdAt: now))
    }

    private func validatedTrigger(_ schedule: PipelineSchedule) -> Result<Trigger, TriggerRefused> {
        lock.withLock {
            if let cached = validated[schedule.id], cached.updatedAt == schedule.updatedAt, cached.definition == schedule.definition {
                return cached.trigger
            }
            let result = schedule.trigger()
            validated[schedule.id] = (schedule.updatedAt, schedule.definition, result)
            return result
        }
    }

    private func note(_ schedule: PipelineSchedule, _ message: String) {
        let fresh = lock.withLock {
            defer { lastNote[schedule.id] = message }
            return lastNote[schedule.id] != message
        }
        if fresh { log(message) }
    }

    private static func names(_ list: [String]) -> String {
        list.isEmpty ? "none" : list.joined(separator: ", ")
    }
}
