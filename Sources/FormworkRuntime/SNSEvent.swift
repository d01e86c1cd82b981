import Foundation

/// The event SNS sends a subscribed function: one record per delivered message, with AWS's
/// field names (`Records`, `Sns`, `MessageId`, …).
///
/// Decode it with ``JSONCoding/makeDecoder()``, which reads each message's `Timestamp`.
public struct SNSEvent: Codable, Equatable, Sendable {
    /// The delivered messages (SNS delivers one per invocation).
    public var records: [Record]

    /// Creates an event.
    public init(records: [Record]) {
        self.records = records
    }

    private enum CodingKeys: String, CodingKey {
        case records = "Records"
    }

    /// One delivery: the subscription and the message.
    public struct Record: Codable, Equatable, Sendable {
        /// `aws:sns`.
        public var eventSource: String
        /// `1.0`.
        public var eventVersion: String
        /// The ARN of the subscription that delivered the message.
        public var eventSubscriptionArn: String
        /// The message.
        public var sns: Message

        /// Creates a record.
        public init(
            eventSource: String = "aws:sns",
            eventVersion: String = "1.0",
            eventSubscriptionArn: String,
            sns: Message
        ) {
            self.eventSource = eventSource
            self.eventVersion = eventVersion
            self.eventSubscriptionArn = eventSubscriptionArn
            self.sns = sns
        }

        private enum CodingKeys: String, CodingKey {
            case eventSource = "EventSource"
            case eventVersion = "EventVersion"
            case eventSubscriptionArn = "EventSubscriptionArn"
            case sns = "Sns"
        }
    }

    /// The `Sns` object of a record: the published message and its envelope.
    public struct Message: Codable, Equatable, Sendable {
        /// `Notification`.
        public var type: String
        /// The message's id, as `Publish` returned it.
        public var messageId: String
        /// The topic it was published to.
        public var topicArn: String
        /// The subject, when the publisher gave one.
        public var subject: String?
        /// The message text.
        public var message: String
        /// When it was published.
        public var timestamp: Date
        /// `1` (SHA1) or `2` (SHA256).
        public var signatureVersion: String
        /// The base64 signature of the message.
        public var signature: String
        /// Where the signing certificate is.
        public var signingCertUrl: String
        /// The URL that ends the subscription.
        public var unsubscribeUrl: String
        /// The message attributes; empty when there are none.
        public var messageAttributes: [String: SNSMessageAttribute]

        /// Creates a message, as the simulated messaging service does.
        public init(
            type: String = "Notification",
            messageId: String,
            topicArn: String,
            subject: String? = nil,
            message: String,
            timestamp: Date,
            signatureVersion: String = "1",
            signature: String,
            signingCertUrl: String,
            unsubscribeUrl: String,
            messageAttributes: [String: SNSMessageAttribute] = [:]
        ) {
            self.type = type
            self.messageId = messageId
            self.topicArn = topicArn
            self.subject = subject
            self.message = message
            self.timestamp = timestamp
            self.signatureVersion = signatureVersion
            self.signature = signature
            self.signingCertUrl = signingCertUrl
            self.unsubscribeUrl = unsubscribeUrl
            self.messageAttributes = messageAttributes
        }

        private enum CodingKeys: String, CodingKey {
            case type = "Type"
            case messageId = "MessageId"
            case topicArn = "TopicArn"
            case subject = "Subject"
            case message = "Message"
            case timestamp = "Timestamp"
            case signatureVersion = "SignatureVersion"
            case signature = "Signature"
            case signingCertUrl = "SigningCertUrl"
            case unsubscribeUrl = "UnsubscribeUrl"
            case messageAttributes = "MessageAttributes"
        }

        /// Decodes the `Sns` object; absent or `null` attributes are empty.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            type = try container.decode(String.self, forKey: .type)
            messageId = try container.decode(String.self, forKey: .messageId)
            topicArn = try container.decode(String.self, forKey: .topicArn)
            subject = try container.decodeIfPresent(String.self, forKey: .subject)
            message = try container.decode(String.self, forKey: .message)
            timestamp = try container.decode(Date.self, forKey: .timestamp)
            signatureVersion = try container.decode(String.self, forKey: .signatureVersion)
            signature = try container.decode(String.self, forKey: .signature)
            signingCertUrl = try container.decode(String.self, forKey: .signingCertUrl)
            unsubscribeUrl = try container.decode(String.self, forKey: .unsubscribeUrl)
            messageAttributes = try container.decodeDictionary(
                [String: SNSMessageAttribute].self, forKey: .messageAttributes)
        }
    }
}
