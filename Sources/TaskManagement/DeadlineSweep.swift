import FormworkRuntime
import Foundation

/// One run of the schedule: a `deadline_reminder` to the assignee of every open task due
/// within the reminder window, and a `task_overdue` to the assignee and the creator of
/// every open task past its deadline. Each goes out once per task (and deadline): the task
/// is marked with a conditional write before anything is sent, so a later or overlapping
/// run finds the mark and sends nothing.
struct DeadlineSweep: Sendable {
    let tasks: TaskStore
    let notifier: Notifier
    /// How far ahead of its deadline a task gets its reminder.
    let window: TimeInterval
    let logger: any HandlerLogger

    /// What one run did.
    struct Summary: Equatable, Sendable {
        var reminders = 0
        var overdue = 0
        var failures = 0
    }

    /// Sends what is due at `now`.
    func run(at now: Date) async throws -> Summary {
        var summary = Summary()
        let due = try await tasks.openTasks(dueBy: now.addingTimeInterval(window))
        for task in due.sorted(by: { ($0.deadline, $0.taskId) < ($1.deadline, $1.taskId) }) {
            do {
                if task.deadline <= now {
                    if try await sendOverdue(task, at: now) { summary.overdue += 1 }
                } else if try await sendReminder(task, at: now) {
                    summary.reminders += 1
                }
            } catch {
                summary.failures += 1
                logger.error("Could not notify about task \(task.taskId): \(error)")
            }
        }
        return summary
    }

    private func sendReminder(_ task: TaskRecord, at now: Date) async throws -> Bool {
        guard task.reminderSentAt == nil, try await tasks.claim(.reminderSent, on: task, at: now) else { return false }
        try await notifier.notify(task.assigneeId, .deadlineReminder, about: task)
        return true
    }

    private func sendOverdue(_ task: TaskRecord, at now: Date) async throws -> Bool {
        guard task.overdueSentAt == nil, try await tasks.claim(.overdueSent, on: task, at: now) else { return false }
        try await notifier.notify(task.assigneeId, .taskOverdue, about: task)
        if task.createdBy != task.assigneeId {
            try await notifier.notify(task.createdBy, .taskOverdue, about: task)
        }
        return true
    }
}

/// Some tasks of a scheduled run could not be notified about; the log names them.
struct DeadlineSweepFailed: Error, CustomStringConvertible {
    var failures: Int

    var description: String {
        "\(failures) task(s) could not be notified about; see the log."
    }
}
