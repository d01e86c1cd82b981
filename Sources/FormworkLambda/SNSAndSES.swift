import FormworkRuntime
import Foundation

/// ``NotificationClient`` over SNS's query protocol (`Publish`) and SES v2's REST JSON
/// (`SendEmail`).
public struct SNSAndSES: NotificationClient {
    let transport: AWSTransport

    /// A client that sends through `transport`.
    public init(transport: AWSTransport) {
        self.transport = transport
    }

    public func publish(topicArn: String, message: String, subject: String?, attributes: [String: SNSMessageAttribute]) async throws -> String {
        var parameters: [(String, String)] = [("Action", "Publish"), ("Version", "2010-03-31"), ("TopicArn", topicArn), ("Message", message)]
        if let subject { parameters.append(("Subject", subject)) }
        for (index, (name, attribute)) in attributes.sorted(by: { $0.key < $1.key }).enumerated() {
            let prefix = "MessageAttributes.entry.\(index + 1)"
            let valueKind = attribute.type.hasPrefix("Binary") ? "BinaryValue" : "StringValue"
            parameters += [("\(prefix).Name", name), ("\(prefix).Value.DataType", attribute.type), ("\(prefix).Value.\(valueKind)", attribute.value)]
        }
        let body = parameters.map { "\(SigV4.uriEncode($0.0))=\(SigV4.uriEncode($0.1))" }.joined(separator: "&")
        do {
            let answer = try await transport.send(
                .sns, headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")], body: Data(body.utf8),
                errorCode: { $0.xmlError })
            guard let id = XMLText.first("MessageId", in: String(decoding: answer.body, as: UTF8.self)) else {
                throw NotificationError.other(code: "InvalidResponse", message: "SNS answered Publish without a MessageId.")
            }
            return id
        } catch let error as AWSErrorAnswer {
            throw NotificationError(awsErrorCode: error.code, message: error.message)
        }
    }

    public func sendEmail(from: String, to: [String], subject: String, textBody: String?, htmlBody: String?) async throws -> String {
        var body: [String: Any] = [:]
        if let textBody { body["Text"] = ["Data": textBody, "Charset": "UTF-8"] }
        if let htmlBody { body["Html"] = ["Data": htmlBody, "Charset": "UTF-8"] }
        let input: [String: Any] = [
            "FromEmailAddress": from, "Destination": ["ToAddresses": to],
            "Content": ["Simple": ["Subject": ["Data": subject, "Charset": "UTF-8"], "Body": body]],
        ]
        do {
            let answer = try await transport.send(
                .sesV2, path: "/v2/email/outbound-emails", headers: [("Content-Type", "application/json")], body: WireJSON.data(input),
                errorCode: { $0.jsonError })
            guard let id = WireJSON.object(answer.body)["MessageId"] as? String else {
                throw NotificationError.other(code: "InvalidResponse", message: "SES answered SendEmail without a MessageId.")
            }
            return id
        } catch let error as AWSErrorAnswer {
            throw NotificationError(awsErrorCode: error.code, message: error.message)
        }
    }
}
