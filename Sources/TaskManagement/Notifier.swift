import FormworkRuntime
import Foundation

/// Sends a notification the three ways the API promises: stored in the Notifications
/// table (what `GET /notifications` lists), published to the notifications topic, and
/// e-mailed to the user through SES.
struct Notifier: Sendable {
    let notifications: NotificationStore
    let users: UserStore
    let client: any NotificationClient
    let topicArn: String
    let sender: String
    let now: @Sendable () -> Date
    let logger: any HandlerLogger

    /// Notifies `userId` about `task`. Only storing can fail the call; a failed publish or
    /// e-mail is logged, since the notification is already there to be read.
    @discardableResult
    func notify(_ userId: String, _ type: NotificationType, about task: TaskRecord) async throws -> NotificationRecord {
        let record = NotificationRecord(
            notificationId: UUID().uuidString.lowercased(), userId: userId, type: type, taskId: task.taskId,
            message: Self.message(type, about: task), createdAt: now(), read: false)
        try await notifications.create(record)
        await publish(record)
        await email(record)
        return record
    }

    /// Delivers a notice of the schedule, failing when any part fails so that the run gives
    /// its claim back and the next run delivers again. The notification's id is derived from
    /// the task, its deadline, the type and the user, so a delivery repeated after a failure
    /// stores it once (and sends its e-mail again: at least once).
    func deliver(_ userId: String, _ type: NotificationType, about task: TaskRecord) async throws {
        let record = NotificationRecord(
            notificationId: Self.scheduledId(type, task: task, userId: userId), userId: userId, type: type, taskId: task.taskId,
            message: Self.message(type, about: task), createdAt: now(), read: false)
        do {
            try await notifications.create(record)
        } catch TableError.conditionalCheckFailed {
            logger.info("Notification \(record.notificationId) was stored by an earlier attempt; sending it again")
        }
        try await publishOrThrow(record)
        try await emailOrThrow(record)
    }

    /// The id of a scheduled notice: one per type, task, deadline and user.
    static func scheduledId(_ type: NotificationType, task: TaskRecord, userId: String) -> String {
        "\(type.rawValue)-\(task.taskId)-\(Int64(task.deadline.timeIntervalSince1970))-\(userId)"
    }

    /// ``notify(_:_:about:)`` for a request whose own work is done: a failure is logged,
    /// not answered.
    func notifyAfterCommit(_ userId: String, _ type: NotificationType, about task: TaskRecord) async {
        do {
            try await notify(userId, type, about: task)
        } catch {
            logger.error("Could not notify \(userId) (\(type.rawValue)) about task \(task.taskId): \(error)")
        }
    }

    /// Publishes the notification to the topic as JSON, with its type as an attribute; a
    /// failure is logged.
    func publish(_ record: NotificationRecord) async {
        do {
            try await publishOrThrow(record)
        } catch {
            logger.error("Could not publish notification \(record.notificationId): \(error)")
        }
    }

    private func publishOrThrow(_ record: NotificationRecord) async throws {
        let message = String(decoding: try JSONCoding.encode(record), as: UTF8.self)
        _ = try await client.publish(
            topicArn: topicArn, message: message, subject: nil, attributes: ["type": .string(record.type.rawValue)])
    }

    /// E-mails the notification to its user, if the user has an address on file; a failure
    /// is logged.
    func email(_ record: NotificationRecord) async {
        do {
            try await emailOrThrow(record)
        } catch {
            logger.error("Could not e-mail notification \(record.notificationId): \(error)")
        }
    }

    private func emailOrThrow(_ record: NotificationRecord) async throws {
        guard let user = try await users.get(record.userId), !user.email.isEmpty, user.enabled else {
            logger.warning("No e-mail address for user \(record.userId), or the user is disabled; \(record.notificationId) not e-mailed")
            return
        }
        _ = try await client.sendEmail(
            from: sender, to: [user.email], subject: Self.subject(record.type),
            textBody: record.message + "\n\nTask: " + record.taskId + "\n", htmlBody: nil)
    }

    /// The e-mail subject for a notification of `type`.
    static func subject(_ type: NotificationType) -> String {
        switch type {
        case .taskAssigned: "A task was assigned to you"
        case .taskUpdated: "A task you created was updated"
        case .deadlineReminder: "A task is due soon"
        case .taskOverdue: "A task is overdue"
        }
    }

    /// The notification's text.
    static func message(_ type: NotificationType, about task: TaskRecord) -> String {
        let deadline = JSONCoding.formatDate(task.deadline)
        return switch type {
        case .taskAssigned: "You have been assigned \"\(task.title)\", due \(deadline)."
        case .taskUpdated: "\"\(task.title)\" is now \(task.status.rawValue)."
        case .deadlineReminder: "\"\(task.title)\" is due \(deadline)."
        case .taskOverdue: "\"\(task.title)\" was due \(deadline) and is not done."
        }
    }
}
