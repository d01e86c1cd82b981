import Formwork
import FormworkRuntime
import Foundation
import NIOConcurrencyHelpers

/// EventBridge rules and EventBridge Scheduler schedules of the model, fired on the
/// simulator's clock. Each fire hands the target function EventBridge's scheduled event,
/// whose `time` is the scheduled time, through Lambda's asynchronous queue. Schedules start
/// counting when the simulator starts (a rate fires one period later); when the clock
/// jumps, the host steps it through every fire in order.
public final class SchedulerService: SimulatedService {
    /// A schedule as the control API shows it.
    public struct Entry: Sendable {
        public var name: String
        public var arn: String
        public var expression: String
        public var timeZone: String
        public var target: String
        public var enabled: Bool
        /// The next fire, nil when it never fires again.
        public var nextFire: Date?
        /// The latest fire, nil before the first.
        public var lastFire: Date?
        /// How many times it fired since the simulator started.
        public var fires: Int
    }

    struct Running: Sendable {
        var schedule: Schedule
        var recurrence: Recurrence
        var function: Function
        var arn: String
        var after: Date
        var lastFire: Date?
        var fires = 0
    }

    let invocations: AsyncInvocations
    let naming: LocalResources
    let anchor: Date
    private let state: NIOLockedValueBox<[Running]>

    init(architecture: Architecture, naming: LocalResources, invocations: AsyncInvocations, clock: SimulatorClock) {
        self.invocations = invocations
        self.naming = naming
        let now = clock.now()
        anchor = now
        let functions = architecture.resources(of: Function.self)
        state = NIOLockedValueBox(
            architecture.resources(of: Schedule.self).compactMap { schedule -> Running? in
                guard let recurrence = schedule.recurrence, let function = functions.first(where: { $0.id == schedule.target }) else { return nil }
                return Running(
                    schedule: schedule, recurrence: recurrence, function: function,
                    arn: naming.arn(of: schedule.id, in: architecture) ?? schedule.name, after: now)
            })
    }

    /// Every schedule of the model with its next fire time.
    public var entries: [Entry] {
        state.withLockedValue { running in
            running.map { entry in
                Entry(
                    name: entry.schedule.name, arn: entry.arn, expression: entry.schedule.expression.description,
                    timeZone: entry.schedule.timeZone ?? "UTC", target: naming.functionName(entry.function),
                    enabled: entry.schedule.enabled,
                    nextFire: entry.schedule.enabled ? next(entry) : nil, lastFire: entry.lastFire, fires: entry.fires)
            }
        }
    }

    private func next(_ entry: Running) -> Date? {
        entry.recurrence.nextFire(after: entry.after, anchor: anchor, timeZone: entry.schedule.zone)
    }

    /// The earliest fire still to come.
    var nextDue: Date? {
        state.withLockedValue { running in running.filter(\.schedule.enabled).compactMap(next).min() }
    }

    /// How many fires fall after the current time and by `date`, counting up to `limit`.
    func fires(through date: Date, limit: Int) -> Int {
        state.withLockedValue { running in
            var count = 0
            for entry in running where entry.schedule.enabled {
                var after = entry.after
                while count <= limit, let fire = entry.recurrence.nextFire(after: after, anchor: anchor, timeZone: entry.schedule.zone), fire <= date {
                    count += 1
                    after = fire
                }
            }
            return count
        }
    }

    /// Fires every schedule due by `now`, earliest first.
    func runDue(at now: Date) async {
        let due = state.withLockedValue { running -> [(Running, Date)] in
            var fired: [(Running, Date)] = []
            for index in running.indices where running[index].schedule.enabled {
                while let fire = next(running[index]), fire <= now, fire > running[index].after {
                    running[index].after = fire
                    running[index].lastFire = fire
                    running[index].fires += 1
                    fired.append((running[index], fire))
                }
            }
            return fired.sorted { $0.1 < $1.1 }
        }
        for (entry, fire) in due {
            invocations.enqueue(entry.function, .scheduled(event(of: entry.schedule, arn: entry.arn, at: fire)), source: entry.schedule.name, at: fire)
        }
    }

    /// The event a schedule sends its target: EventBridge's scheduled event, whose `source` is
    /// `aws.scheduler` for a Scheduler schedule.
    func event(of schedule: Schedule, arn: String, at time: Date) -> ScheduledEvent {
        ScheduledEvent(
            id: UUID().uuidString.lowercased(), source: schedule.runsOnScheduler ? "aws.scheduler" : "aws.events", account: naming.account,
            time: time, region: naming.region, resources: [arn])
    }

    /// The event the first schedule targeting `function` would send at `time`; a rule of its
    /// own when no schedule targets it.
    func event(for function: Function, at time: Date) -> ScheduledEvent {
        if let entry = state.withLockedValue({ $0.first { $0.function.id == function.id } }) {
            return event(of: entry.schedule, arn: entry.arn, at: time)
        }
        return ScheduledEvent(
            id: UUID().uuidString.lowercased(), account: naming.account, time: time, region: naming.region,
            resources: ["arn:aws:events:\(naming.region):\(naming.account):rule/formwork-invoke"])
    }
}
