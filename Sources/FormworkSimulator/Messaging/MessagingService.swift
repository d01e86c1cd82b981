import Formwork
import FormworkRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// SNS topics and SES e-mail of the model.
///
/// A publish is kept in the outbox and fanned out to every subscription whose filter policy
/// its attributes pass: e-mail (`email`, `email-json`) and SMS to the outbox, HTTP/S through
/// ``Webhooks``, functions through Lambda's asynchronous queue. E-mail is accepted only from
/// an identity the model declares, as the SES sandbox does. Both answer their AWS query
/// protocols (`Action=Publish`, `Action=SendEmail`) and SES v2 `SendEmail`.
public final class MessagingService: SimulatedService {
    let architecture: Architecture
    let naming: LocalResources
    let outbox: Outbox
    let clock: SimulatorClock
    let invocations: AsyncInvocations
    let webhooks: Webhooks
    let endpoint: @Sendable () -> String
    /// The topics with their ARNs and their subscriptions' ARNs.
    let topics: [(topic: Topic, arn: String, subscriptionArns: [String])]

    init(
        architecture: Architecture, naming: LocalResources, outbox: Outbox, clock: SimulatorClock, invocations: AsyncInvocations,
        webhooks: Webhooks, endpoint: @escaping @Sendable () -> String
    ) {
        self.architecture = architecture
        self.naming = naming
        self.outbox = outbox
        self.clock = clock
        self.invocations = invocations
        self.webhooks = webhooks
        self.endpoint = endpoint
        topics = architecture.resources(of: Topic.self).map { topic in
            let arn = naming.arn(of: topic.id, in: architecture) ?? topic.name
            return (topic, arn, topic.subscriptions.map { naming.subscriptionArn(topicArn: arn, $0, in: architecture) })
        }
        webhooks.requestConfirmations(
            topics.flatMap { entry in
                zip(entry.topic.subscriptions, entry.subscriptionArns).compactMap { subscription, arn in
                    if case .https(let url) = subscription.endpoint { return (arn, entry.arn, url) }
                    return nil
                }
            })
    }

    // MARK: SNS

    /// SNS `Publish`: keeps the message in the outbox and delivers it to each subscription
    /// whose filter policy passes; returns the message id. With `MessageStructure=json` the
    /// message is a JSON object of one message per protocol, with a `default`.
    func publish(
        topicArn: String, message: String, subject: String?, attributes: [String: SNSMessageAttribute] = [:], structure: String? = nil
    ) throws -> String {
        guard let entry = topics.first(where: { $0.arn == topicArn }) else { throw NotificationError.topicNotFound("Topic does not exist") }
        guard !message.isEmpty else { throw NotificationError.invalidParameter("Invalid parameter: Empty message") }
        guard message.utf8.count <= 262_144 else {
            throw NotificationError.invalidParameter("Invalid parameter: Message too long")
        }
        if let subject, subject.isEmpty || subject.count > 100 || subject.contains(where: \.isNewline) {
            throw NotificationError.invalidParameter("Invalid parameter: Subject")
        }
        let perProtocol = try Self.messages(message, structure: structure)
        let messageId = UUID().uuidString.lowercased()
        let now = clock.now()
        let values = attributes.mapValues { (type: $0.type, value: $0.value) }
        var messages = [
            Outbox.Message(
                id: messageId, service: "sns", kind: "publish", to: [topicArn], subject: subject, body: message, attributes: attributes,
                createdAt: now)
        ]
        var functionDeliveries: [(arn: String, function: Function, message: String)] = []
        for (index, subscription) in entry.topic.subscriptions.enumerated() {
            if let policy = subscription.filterPolicy, !policy.matches(values) { continue }
            let arn = entry.subscriptionArns[index]
            let text = perProtocol?[subscription.protocolName] ?? perProtocol?["default"] ?? message
            func kept(_ kind: String, _ recipient: String, _ body: String) -> Outbox.Message {
                Outbox.Message(
                    id: "\(messageId)-\(index)", service: "sns", kind: kind, from: topicArn, to: [recipient], subject: subject, body: body,
                    attributes: attributes, createdAt: now)
            }
            switch subscription.endpoint {
            case .email(let address) where subscription.deliversJSON:
                messages.append(kept("email", address, notificationJSON(messageId, entry.arn, arn, subject, text, attributes, now)))
            case .email(let address): messages.append(kept("email", address, text))
            case .sms(let number): messages.append(kept("sms", number, text))
            case .https(let url):
                let body = notificationJSON(messageId, entry.arn, arn, subject, text, attributes, now)
                if !webhooks.notify(subscriptionArn: arn, topicArn: topicArn, url: url, messageId: messageId, body: body) {
                    messages.append(kept("http", url, body))
                }
            case .function(let id, _, _):
                if let function = architecture.resources(of: Function.self).first(where: { $0.id == id }) {
                    functionDeliveries.append((arn, function, text))
                }
            }
        }
        try outbox.record(messages)
        for delivery in functionDeliveries {
            let record = lambdaRecord(
                subscriptionArn: delivery.arn, topicArn: topicArn, messageId: messageId, subject: subject, message: delivery.message,
                attributes: attributes, time: now)
            invocations.enqueue(delivery.function, .sns(SNSEvent(records: [record])), source: topicArn, at: now)
        }
        return messageId
    }

    /// The messages of a `MessageStructure=json` publish, by protocol; nil without one.
    private static func messages(_ message: String, structure: String?) throws -> [String: String]? {
        guard let structure else { return nil }
        guard structure == "json" else { throw NotificationError.invalidParameter("Invalid parameter: MessageStructure") }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(message.utf8))) as? [String: Any] else {
            throw NotificationError.invalidParameter("Invalid parameter: Message Structure - JSON message body failed to parse")
        }
        guard object["default"] is String else {
            throw NotificationError.invalidParameter("Invalid parameter: Message Structure - No default entry in JSON message body")
        }
        return object.compactMapValues { $0 as? String }
    }

    /// The record SNS hands a subscribed function.
    private func lambdaRecord(
        subscriptionArn: String, topicArn: String, messageId: String, subject: String?, message: String,
        attributes: [String: SNSMessageAttribute], time: Date
    ) -> SNSEvent.Record {
        SNSEvent.Record(
            eventSubscriptionArn: subscriptionArn,
            sns: SNSEvent.Message(
                messageId: messageId, topicArn: topicArn, subject: subject, message: message, timestamp: time, signature: SNSEnvelope.signature,
                signingCertUrl: SNSEnvelope.certificateURL(endpoint()),
                unsubscribeUrl: SNSEnvelope.unsubscribeURL(endpoint(), subscriptionArn: subscriptionArn), messageAttributes: attributes))
    }

    /// The event the topic that `function` subscribes to would deliver for `message` now.
    func event(delivering message: String, to function: Function) -> SNSEvent {
        let subscribed = topics.lazy.compactMap { entry -> (String, String)? in
            guard
                let index = entry.topic.subscriptions.firstIndex(where: {
                    if case .function(let id, _, _) = $0.endpoint { return id == function.id }
                    return false
                })
            else { return nil }
            return (entry.arn, entry.subscriptionArns[index])
        }.first
        let topicArn = subscribed?.0 ?? "arn:aws:sns:\(naming.region):\(naming.account):formwork-invoke"
        return SNSEvent(records: [
            lambdaRecord(
                subscriptionArn: subscribed?.1 ?? "\(topicArn):formwork-invoke", topicArn: topicArn, messageId: UUID().uuidString.lowercased(),
                subject: nil, message: message, attributes: [:], time: clock.now())
        ])
    }

    /// The JSON SNS POSTs to HTTP/S endpoints and mails to `email-json` subscribers.
    private func notificationJSON(
        _ messageId: String, _ topicArn: String, _ subscriptionArn: String, _ subject: String?, _ message: String,
        _ attributes: [String: SNSMessageAttribute], _ time: Date
    ) -> String {
        var object: [String: Any] = [
            "Type": "Notification", "MessageId": messageId, "TopicArn": topicArn, "Message": message,
            "Timestamp": JSONCoding.formatDate(time), "SignatureVersion": "1", "Signature": SNSEnvelope.signature,
            "SigningCertURL": SNSEnvelope.certificateURL(endpoint()),
            "UnsubscribeURL": SNSEnvelope.unsubscribeURL(endpoint(), subscriptionArn: subscriptionArn),
        ]
        object["Subject"] = subject
        if !attributes.isEmpty { object["MessageAttributes"] = attributes.mapValues { ["Type": $0.type, "Value": $0.value] } }
        return String(decoding: JSONBody.data(object), as: UTF8.self)
    }

    // MARK: SES

    /// SES `SendEmail`: keeps the message in the outbox when the sender is an identity the
    /// model declares; returns its id.
    func sendEmail(from: String, to: [String], subject: String, textBody: String?, htmlBody: String?) throws -> String {
        guard !from.isEmpty else { throw NotificationError.invalidParameter(Self.malformedAddress) }
        guard isVerified(from) else {
            throw NotificationError.messageRejected(
                "Email address is not verified. The following identities failed the check in region \(naming.region.uppercased()): \(from)")
        }
        guard !to.isEmpty, to.allSatisfy({ EmailIdentity.address(in: $0).contains("@") }) else {
            throw NotificationError.invalidParameter(Self.malformedAddress)
        }
        let messageId = UUID().uuidString.lowercased()
        try outbox.record(
            Outbox.Message(
                id: messageId, service: "ses", kind: "email", from: from, to: to, subject: subject, body: textBody ?? htmlBody ?? "",
                createdAt: clock.now()))
        return messageId
    }

    /// What SES answers for a missing or malformed address.
    static let malformedAddress = "Missing final '@domain'"

    /// Whether the model declares an identity that covers the sender.
    func isVerified(_ sender: String) -> Bool {
        architecture.resources(of: EmailIdentity.self).contains { $0.covers(sender) }
    }

    // MARK: Host

    var nextDue: Date? { webhooks.nextDue }

    func runDue(at now: Date) async { await webhooks.runDue(at: now) }

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/_aws/sns/confirm") { [self] request, _ -> Response in
            let query = request.uri.queryParameters
            return confirmSubscription(topicArn: query.get("TopicArn"), token: query.get("Token"))
        }
        router.get("/_aws/sns/unsubscribe") { _, _ -> Response in
            QueryProtocol.error(
                service: .sns, code: "InvalidParameter",
                message: "Subscriptions come from the blueprint; remove the subscription there to end it.", status: 400)
        }
        router.get("/_aws/sns/SimpleNotificationService-local.pem") { _, _ -> Response in
            ControlResponse.json(
                ["message": "Messages of the local SNS are not signed with an AWS certificate; do not verify their signatures locally."],
                status: .notFound)
        }
        router.post("/v2/email/outbound-emails") { [self] request, _ -> Response in
            let body = try await request.body.collect(upTo: 10 * 1024 * 1024)
            return sendEmailV2(Data(buffer: body))
        }
    }

    private func sendEmailV2(_ body: Data) -> Response {
        func failure(_ type: String, _ message: String, status: HTTPResponse.Status = .badRequest) -> Response {
            var response = ControlResponse.json(["__type": type, "message": message], status: status)
            response.headers[HTTPField.Name("x-amzn-ErrorType") ?? .contentType] = type
            return response
        }
        guard let input = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            return failure("BadRequestException", "The request body is not a JSON object.")
        }
        let destination = input["Destination"] as? [String: Any] ?? [:]
        let recipients = ["ToAddresses", "CcAddresses", "BccAddresses"].flatMap { destination[$0] as? [String] ?? [] }
        let simple = (input["Content"] as? [String: Any])?["Simple"] as? [String: Any]
        guard let from = input["FromEmailAddress"] as? String, let simple else {
            return failure("BadRequestException", "FromEmailAddress and Content.Simple are required.")
        }
        let subject = (simple["Subject"] as? [String: Any])?["Data"] as? String ?? ""
        let bodies = simple["Body"] as? [String: Any] ?? [:]
        do {
            let id = try sendEmail(
                from: from, to: recipients, subject: subject, textBody: (bodies["Text"] as? [String: Any])?["Data"] as? String,
                htmlBody: (bodies["Html"] as? [String: Any])?["Data"] as? String)
            return ControlResponse.json(["MessageId": id])
        } catch let error as NotificationError {
            if case .invalidParameter = error { return failure("BadRequestException", error.message) }
            return failure(error.awsErrorCode, error.message)
        } catch {
            return failure("InternalFailure", "\(error)", status: .internalServerError)
        }
    }

    /// Answers an SNS or SES query-protocol request (`Action=...`), or nil when the action is
    /// neither's. `service` is the signing scope's service, which settles shared action names.
    func answerQuery(_ parameters: [String: String], service scope: String?) -> Response? {
        let action = parameters["Action"] ?? ""
        if scope == "ses" || scope == "email" || QueryProtocol.sesActions.contains(action) && scope != "sns" {
            return QueryProtocol.sesActions.contains(action) ? answerSES(action, parameters) : nil
        }
        return QueryProtocol.snsActions.contains(action) ? answerSNS(action, parameters) : nil
    }

    private func answerSNS(_ action: String, _ parameters: [String: String]) -> Response {
        func entry(_ topicArn: String) -> (topic: Topic, arn: String, subscriptionArns: [String])? { topics.first { $0.arn == topicArn } }
        switch action {
        case "Publish":
            guard let topicArn = parameters["TopicArn"] ?? parameters["TargetArn"] else {
                return QueryProtocol.error(
                    service: .sns, code: "InvalidParameter", message: "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
                    status: 400)
            }
            var attributes: [String: SNSMessageAttribute] = [:]
            var index = 1
            while let name = parameters["MessageAttributes.entry.\(index).Name"] {
                let prefix = "MessageAttributes.entry.\(index).Value."
                let type = parameters[prefix + "DataType"] ?? "String"
                let value = parameters[prefix + "StringValue"] ?? parameters[prefix + "BinaryValue"] ?? ""
                attributes[name] = SNSMessageAttribute(type: type, value: value)
                index += 1
            }
            do {
                let id = try publish(
                    topicArn: topicArn, message: parameters["Message"] ?? "", subject: parameters["Subject"], attributes: attributes,
                    structure: parameters["MessageStructure"])
                return QueryProtocol.answer(service: .sns, action: action, result: "<MessageId>\(id)</MessageId>")
            } catch let error as NotificationError {
                let code = error.awsErrorCode.replacingOccurrences(of: "Exception", with: "")
                return QueryProtocol.error(service: .sns, code: code, message: error.message, status: code == "NotFound" ? 404 : 400)
            } catch {
                return QueryProtocol.error(service: .sns, code: "InternalError", message: "\(error)", status: 500)
            }
        case "ListTopics":
            let members = topics.map { "<member><TopicArn>\(QueryProtocol.escape($0.arn))</TopicArn></member>" }.joined()
            return QueryProtocol.answer(service: .sns, action: action, result: "<Topics>\(members)</Topics>")
        case "CreateTopic":
            guard let entry = topics.first(where: { ($0.topic.topicName ?? $0.topic.name) == parameters["Name"] }) else {
                return QueryProtocol.error(
                    service: .sns, code: "InvalidParameter",
                    message: "Topics come from the blueprint; '\(parameters["Name"] ?? "")' is not one of its topics.", status: 400)
            }
            return QueryProtocol.answer(service: .sns, action: action, result: "<TopicArn>\(QueryProtocol.escape(entry.arn))</TopicArn>")
        case "GetTopicAttributes":
            guard let entry = entry(parameters["TopicArn"] ?? "") else {
                return QueryProtocol.error(service: .sns, code: "NotFound", message: "Topic does not exist", status: 404)
            }
            let values = [
                ("TopicArn", entry.arn), ("DisplayName", entry.topic.displayName ?? ""), ("Owner", naming.account),
                ("SubscriptionsConfirmed", String(entry.subscriptionArns.filter { !isPending($0, in: entry) }.count)),
                ("SubscriptionsPending", String(entry.subscriptionArns.filter { isPending($0, in: entry) }.count)),
            ]
            let members = values.map { "<entry><key>\($0.0)</key><value>\(QueryProtocol.escape($0.1))</value></entry>" }.joined()
            return QueryProtocol.answer(service: .sns, action: action, result: "<Attributes>\(members)</Attributes>")
        case "ListSubscriptions", "ListSubscriptionsByTopic":
            let selected: [(topic: Topic, arn: String, subscriptionArns: [String])]
            if action == "ListSubscriptionsByTopic" {
                guard let entry = entry(parameters["TopicArn"] ?? "") else {
                    return QueryProtocol.error(service: .sns, code: "NotFound", message: "Topic does not exist", status: 404)
                }
                selected = [entry]
            } else {
                selected = topics
            }
            let members = selected.flatMap { entry in
                zip(entry.topic.subscriptions, entry.subscriptionArns).map { subscription, arn in
                    let endpoint: String =
                        switch subscription.endpoint {
                        case .email(let address): address
                        case .sms(let number): number
                        case .https(let url): url
                        case .function(let id, _, _): naming.arn(of: id, in: architecture) ?? id.name
                        }
                    return "<member><TopicArn>\(QueryProtocol.escape(entry.arn))</TopicArn><Protocol>\(subscription.protocolName)</Protocol>"
                        + "<SubscriptionArn>\(isPending(arn, in: entry) ? "PendingConfirmation" : QueryProtocol.escape(arn))</SubscriptionArn>"
                        + "<Owner>\(naming.account)</Owner><Endpoint>\(QueryProtocol.escape(endpoint))</Endpoint></member>"
                }
            }.joined()
            return QueryProtocol.answer(service: .sns, action: action, result: "<Subscriptions>\(members)</Subscriptions>")
        default:
            return confirmSubscription(topicArn: parameters["TopicArn"], token: parameters["Token"])
        }
    }

    /// `ConfirmSubscription`, by the query protocol or by visiting the `SubscribeURL`.
    private func confirmSubscription(topicArn: String?, token: String?) -> Response {
        guard let topicArn, let token, let arn = webhooks.confirm(topicArn: topicArn, token: token) else {
            return QueryProtocol.error(service: .sns, code: "InvalidParameter", message: "Invalid token", status: 400)
        }
        return QueryProtocol.answer(service: .sns, action: "ConfirmSubscription", result: "<SubscriptionArn>\(QueryProtocol.escape(arn))</SubscriptionArn>")
    }

    private func isPending(_ arn: String, in entry: (topic: Topic, arn: String, subscriptionArns: [String])) -> Bool {
        guard let index = entry.subscriptionArns.firstIndex(of: arn), case .https(let url) = entry.topic.subscriptions[index].endpoint else {
            return false
        }
        return webhooks.target(of: url) != nil && !webhooks.isConfirmed(arn)
    }

    private func answerSES(_ action: String, _ parameters: [String: String]) -> Response {
        switch action {
        case "SendEmail":
            let recipients = ["ToAddresses", "CcAddresses", "BccAddresses"].flatMap { kind in
                (1...).lazy.map { parameters["Destination.\(kind).member.\($0)"] }.prefix { $0 != nil }.compactMap { $0 }
            }
            do {
                let id = try sendEmail(
                    from: parameters["Source"] ?? "", to: recipients, subject: parameters["Message.Subject.Data"] ?? "",
                    textBody: parameters["Message.Body.Text.Data"], htmlBody: parameters["Message.Body.Html.Data"])
                return QueryProtocol.answer(service: .ses, action: action, result: "<MessageId>\(id)</MessageId>")
            } catch let error as NotificationError {
                return QueryProtocol.error(
                    service: .ses, code: error.awsErrorCode == "InvalidParameterException" ? "InvalidParameterValue" : error.awsErrorCode,
                    message: error.message, status: 400)
            } catch {
                return QueryProtocol.error(service: .ses, code: "InternalFailure", message: "\(error)", status: 500)
            }
        default:
            let members = architecture.resources(of: EmailIdentity.self).map { "<member>\(QueryProtocol.escape($0.identity))</member>" }.joined()
            return QueryProtocol.answer(service: .ses, action: action, result: "<Identities>\(members)</Identities>")
        }
    }
}

/// AWS's query protocol as SNS and SES speak it: form-encoded requests, XML answers.
enum QueryProtocol {
    enum Service {
        case sns, ses

        var namespace: String {
            switch self {
            case .sns: "http://sns.amazonaws.com/doc/2010-03-31/"
            case .ses: "http://ses.amazonaws.com/doc/2010-12-01/"
            }
        }
    }

    static let snsActions: Set<String> = [
        "Publish", "ListTopics", "CreateTopic", "GetTopicAttributes", "ListSubscriptions", "ListSubscriptionsByTopic", "ConfirmSubscription",
    ]
    static let sesActions: Set<String> = ["SendEmail", "ListIdentities"]

    /// The form's fields, percent-decoded.
    static func parameters(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return fields
    }

    /// The service a SigV4 `Authorization` header is scoped to (`sns`, `ses`, `email`).
    static func signingService(_ authorization: String?) -> String? {
        guard let authorization, let credential = authorization.range(of: "Credential=") else { return nil }
        let scope = authorization[credential.upperBound...].prefix { $0 != "," && $0 != " " }.split(separator: "/")
        return scope.count >= 4 ? String(scope[3]) : nil
    }

    static func answer(service: Service, action: String, result: String) -> Response {
        xml(
            "<\(action)Response xmlns=\"\(service.namespace)\"><\(action)Result>\(result)</\(action)Result>"
                + "<ResponseMetadata><RequestId>\(UUID().uuidString.lowercased())</RequestId></ResponseMetadata></\(action)Response>",
            status: .ok)
    }

    static func error(service: Service, code: String, message: String, status: Int) -> Response {
        xml(
            "<ErrorResponse xmlns=\"\(service.namespace)\"><Error><Type>\(status >= 500 ? "Receiver" : "Sender")</Type><Code>\(code)</Code>"
                + "<Message>\(escape(message))</Message></Error><RequestId>\(UUID().uuidString.lowercased())</RequestId></ErrorResponse>",
            status: .init(code: status))
    }

    private static func xml(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/xml"],
            body: .init(byteBuffer: ByteBuffer(string: "<?xml version=\"1.0\"?>\n" + text)))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
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
