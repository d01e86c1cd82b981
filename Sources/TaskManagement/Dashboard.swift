import Foundation

/// The body of `GET /admin/dashboard`: how many tasks stand where, what is late or due
/// soon, and each assignee's share.
struct Dashboard: Encodable, Equatable, Sendable {
    /// Tasks per status.
    struct Totals: Encodable, Equatable, Sendable {
        var todo = 0
        var inProgress = 0
        var blocked = 0
        var done = 0

        private enum CodingKeys: String, CodingKey {
            case todo, inProgress = "in_progress", blocked, done
        }

        mutating func count(_ status: TaskStatus) {
            switch status {
            case .todo: todo += 1
            case .inProgress: inProgress += 1
            case .blocked: blocked += 1
            case .done: done += 1
            }
        }
    }

    /// One assignee's tasks.
    struct Assignee: Encodable, Equatable, Sendable {
        var userId: String
        var name: String
        var open = 0
        var done = 0
        var overdue = 0
    }

    /// How far ahead `dueSoon` looks.
    /// The dashboard without the per-assignee breakdown (the `totals` report).
    struct Summary: Encodable, Equatable, Sendable {
        var totals: Totals
        var overdue: Int
        var dueSoon: Int
        var completionRate: Double

        init(_ dashboard: Dashboard) {
            totals = dashboard.totals
            overdue = dashboard.overdue
            dueSoon = dashboard.dueSoon
            completionRate = dashboard.completionRate
        }
    }

    static let dueSoonWindow: TimeInterval = 24 * 3600

    var totals = Totals()
    /// Tasks not done whose deadline has passed.
    var overdue = 0
    /// Tasks not done due within the next 24 hours.
    var dueSoon = 0
    /// Done tasks over all tasks; 0 when there are none.
    var completionRate = 0.0
    /// Every user with at least one task, by name.
    var byAssignee: [Assignee] = []

    /// The dashboard of `tasks` at `now`, naming assignees from `users`.
    init(tasks: [TaskRecord], users: [UserRecord], now: Date) {
        let names = Dictionary(users.map { ($0.userId, $0.name) }, uniquingKeysWith: { first, _ in first })
        var assignees: [String: Assignee] = [:]
        for task in tasks {
            totals.count(task.status)
            var assignee =
                assignees[task.assigneeId]
                ?? Assignee(userId: task.assigneeId, name: names[task.assigneeId] ?? task.assigneeId)
            if task.status == .done {
                assignee.done += 1
            } else {
                assignee.open += 1
                if task.deadline <= now {
                    overdue += 1
                    assignee.overdue += 1
                } else if task.deadline <= now.addingTimeInterval(Self.dueSoonWindow) {
                    dueSoon += 1
                }
            }
            assignees[task.assigneeId] = assignee
        }
        completionRate = tasks.isEmpty ? 0 : Double(totals.done) / Double(tasks.count)
        byAssignee = assignees.values.sorted { ($0.name, $0.userId) < ($1.name, $1.userId) }
    }
}
