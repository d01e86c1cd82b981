import FormworkRuntime
import Foundation

/// One run of the schedule: a `deadline_reminder` to the assignee of every open task due
/// within the reminder window, and a `task_overdue` to the assignee and the creator of
/// every open task past its deadline. Each goes out once per task, deadline and assignee:
/// a run claims the notice with a conditional write, sends it, and then marks it sent. A
/// failed send gives the claim back, so the next run sends again; an overlapping run finds
/// the claim and sends nothing; a run that dies mid-send leaves a claim that expires.
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
        guard task.reminderSentAt == nil else { return false }
        return try await send(.reminderSent, of: task, at: now) {
            try await notifier.deliver(task.assigneeId, .deadlineReminder, about: task)
        }
    }

    private func sendOverdue(_ task: TaskRecord, at now: Date) async throws -> Bool {
        guard task.overdueSentAt == nil else { return false }
        return try await send(.overdueSent, of: task, at: now) {
            try await notifier.deliver(task.assigneeId, .taskOverdue, about: task)
            if task.createdBy != task.assigneeId {
                try await notifier.deliver(task.createdBy, .taskOverdue, about: task)
            }
        }
    }

    /// Claim, send, confirm; a failed send releases the claim and rethrows.
    private func send(_ mark: TaskMark, of task: TaskRecord, at now: Date, _ sending: () async throws -> Void) async throws -> Bool {
        guard let claim = try await tasks.claim(mark, on: task, at: now) else { return false }
        do {
            try await sending()
        } catch {
            do { try await tasks.release(claim) } catch { logger.error("Could not release the claim on task \(task.taskId): \(error)") }
            throw error
        }
        if try await !tasks.confirm(claim, at: now) {
            logger.warning("The claim on task \(task.taskId) was lost while sending; another run may send again")
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
