import FormworkRuntime
import Foundation

/// The notification function.
///
/// On its schedule it sends deadline reminders and overdue notices (see
/// ``DeadlineSweep``); the reminder window is `REMINDER_WINDOW_HOURS` hours (default 24).
///
/// Subscribed to the notifications topic, it makes sure every notification published
/// there is stored and e-mailed exactly once: the API and the schedule store and e-mail
/// their own before publishing, so for those it only logs; a notification another
/// publisher sends is stored and e-mailed here.
public struct NotificationHandler: ScheduledHandler, SNSHandler {
    private let services: Services

    /// The reminder window when `REMINDER_WINDOW_HOURS` is not set.
    static let defaultWindowHours = 24.0

    /// Creates the handler with the clients and settings it may use.
    public init(services: Services) {
        self.services = services
    }

    /// Sends the reminders and overdue notices due now.
    public func handle(_ event: ScheduledEvent, context: HandlerContext) async throws {
        let sweep = DeadlineSweep(
            tasks: try services.taskStore(), notifier: try services.notifier(logger: context.logger),
            window: try await reminderWindowHours(logger: context.logger) * 3600, logger: context.logger)
        let summary = try await sweep.run(at: services.now())
        context.logger.info(
            "Deadline sweep: \(summary.reminders) reminder(s), \(summary.overdue) overdue task(s), "
                + "\(summary.failures) failure(s)")
        if summary.failures > 0 { throw DeadlineSweepFailed(failures: summary.failures) }
    }

    /// Stores and e-mails each published notification that is not stored yet.
    public func handle(_ event: SNSEvent, context: HandlerContext) async throws {
        let store = try services.notificationStore()
        let users = try services.userStore()
        let notifier = try services.notifier(logger: context.logger)
        let topicArn = try services.requiredEnvironment(ConfigurationKeys.notificationsTopicArn)
        for record in event.records {
            guard record.sns.topicArn == topicArn else {
                context.logger.warning("Message \(record.sns.messageId) comes from \(record.sns.topicArn), not the notifications topic; ignored")
                continue
            }
            let message = record.sns
            guard var notification = try? JSONCoding.decode(NotificationRecord.self, from: Data(message.message.utf8))
            else {
                context.logger.warning("Message \(message.messageId) is not a notification; ignored")
                continue
            }
            let name = "Notification \(notification.notificationId) (\(notification.type.rawValue))"
            guard try await users.get(notification.userId) != nil else {
                context.logger.warning("\(name) is for unknown user \(notification.userId); ignored")
                continue
            }
            notification.read = false
            do {
                try await store.create(notification)
            } catch TableError.conditionalCheckFailed {
                context.logger.info("\(name) already delivered")
                continue
            }
            await notifier.email(notification)
            context.logger.info("\(name) stored and e-mailed")
        }
    }

    /// The reminder window from the parameter `REMINDER_WINDOW_PARAMETER` names, or the
    /// default when no parameter is named or its value is not a positive number of hours.
    ///
    /// - Throws: ``ParameterError`` when the parameter cannot be read (the run fails and is
    ///   retried, rather than reminding on a window nobody chose).
    private func reminderWindowHours(logger: any HandlerLogger) async throws -> Double {
        guard let name = services.environment[ConfigurationKeys.reminderWindowParameter], !name.isEmpty else {
            return Self.defaultWindowHours
        }
        let text = try await services.parameters.getParameter(name: name)
        guard let hours = Double(text), hours.isFinite, hours > 0, hours <= 24 * 366 else {
            logger.warning("Parameter \(name) is '\(text)', not a positive number of hours; using \(Self.defaultWindowHours)")
            return Self.defaultWindowHours
        }
        return hours
    }
}
