import Formwork
import FormworkRuntime
import Foundation

/// SNS topics and SES e-mail of the model: a publish goes to each of the topic's e-mail, SMS
/// and HTTPS subscriptions through the outbox; an e-mail goes to the outbox. Function
/// subscriptions are delivered by the events service.
public final class MessagingService: Sendable {
    let architecture: Architecture
    let naming: LocalResources
    let outbox: Outbox
    let clock: SimulatorClock

    /// Messaging for `architecture`, delivering to `outbox`.
    public init(architecture: Architecture, naming: LocalResources, outbox: Outbox, clock: SimulatorClock) {
        self.architecture = architecture
        self.naming = naming
        self.outbox = outbox
        self.clock = clock
    }

    /// SNS `Publish`: records the message as published, and one delivery per e-mail, SMS and
    /// HTTPS subscription; returns the message id.
    func publish(topicArn: String, message: String, subject: String?, attributes: [String: SNSMessageAttribute] = [:]) throws -> String {
        guard let topic = architecture.resources(of: Topic.self).first(where: { naming.arn(of: $0.id, in: architecture) == topicArn }) else {
            throw NotificationError.topicNotFound("Topic does not exist")
        }
        guard !message.isEmpty else { throw NotificationError.invalidParameter("Invalid parameter: Empty message") }
        let messageId = UUID().uuidString.lowercased()
        var messages = [
            Outbox.Message(
                id: messageId, service: "sns", kind: "publish", to: [topicArn], subject: subject, body: message, attributes: attributes,
                createdAt: clock.now())
        ]
        for (index, subscription) in topic.subscriptions.enumerated() {
            let (kind, recipient): (String, String)
            switch subscription.endpoint {
            case .email(let address): (kind, recipient) = ("email", address)
            case .sms(let number): (kind, recipient) = ("sms", number)
            case .https(let url): (kind, recipient) = ("http", url)
            case .function: continue
            }
            messages.append(
                Outbox.Message(
                    id: "\(messageId)-\(index)", service: "sns", kind: kind, from: topicArn, to: [recipient], subject: subject, body: message,
                    createdAt: clock.now()))
        }
        try outbox.record(messages)
        return messageId
    }

    /// SES `SendEmail`: records the message; returns its id.
    func sendEmail(from: String, to: [String], subject: String, textBody: String?, htmlBody: String?) throws -> String {
        guard !to.isEmpty else { throw NotificationError.invalidParameter("Missing final '@domain'") }
        let messageId = UUID().uuidString.lowercased()
        try outbox.record(
            Outbox.Message(
                id: messageId, service: "ses", kind: "email", from: from, to: to, subject: subject, body: textBody ?? htmlBody ?? "",
                createdAt: clock.now()))
        return messageId
    }
}

/// A function's notifications: SNS and SES through the messaging service, every call checked
/// against the function's grants.
struct GrantedNotifications: NotificationClient {
    let messaging: MessagingService
    let permissions: Permissions

    func publish(topicArn: String, message: String, subject: String?, attributes: [String: SNSMessageAttribute]) async throws -> String {
        if let denial = permissions.denial("sns:Publish", on: permissions.topic(arn: topicArn), arn: topicArn) {
            throw NotificationError.authorizationError(denial)
        }
        return try messaging.publish(topicArn: topicArn, message: message, subject: subject, attributes: attributes)
    }

    func sendEmail(from: String, to: [String], subject: String, textBody: String?, htmlBody: String?) async throws -> String {
        let (id, arn) = permissions.emailIdentity(sending: from)
        if let denial = permissions.denial("ses:SendEmail", on: id, arn: arn) {
            throw NotificationError.other(code: "AccessDeniedException", message: denial)
        }
        return try messaging.sendEmail(from: from, to: to, subject: subject, textBody: textBody, htmlBody: htmlBody)
    }
}
