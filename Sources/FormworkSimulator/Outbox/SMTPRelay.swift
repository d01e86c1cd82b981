import Formwork
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Relays the outbox's e-mail to an SMTP server (a local MailHog or Mailpit) as it is kept:
/// plain SMTP without authentication or TLS, one connection per message, in the background.
/// A message the server refuses stays in the outbox; the failure is kept in
/// ``DeliveryFailures``.
public struct SMTPRelay: Sendable {
    /// The server's host.
    public var host: String
    /// The server's port.
    public var port: Int

    /// A relay to `host:port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        let host = String(text[..<colon])
        guard !host.isEmpty else { return nil }
        self.init(host: host, port: port)
    }

    var address: String { "smtp://\(host):\(port)" }

    /// Why the server refused a message.
    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends one message: `EHLO`, `MAIL FROM`, `RCPT TO` for each recipient, `DATA`, `QUIT`.
    func send(from: String, to recipients: [String], subject: String?, body: String, messageId: String, date: Date) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        try await channel.executeThenClose { inbound, outbound in
            var replies = SMTPReplies(inbound.makeAsyncIterator())
            try await replies.expect(220)
            func command(_ line: String, _ codes: Int...) async throws {
                try await outbound.write(ByteBuffer(string: line + "\r\n"))
                try await replies.expect(codes)
            }
            try await command("EHLO formwork.local", 250)
            try await command("MAIL FROM:<\(EmailIdentity.address(in: from))>", 250)
            for recipient in recipients { try await command("RCPT TO:<\(EmailIdentity.address(in: recipient))>", 250, 251) }
            try await command("DATA", 354)
            try await outbound.write(ByteBuffer(string: Self.message(from: from, to: recipients, subject: subject, body: body, id: messageId, date: date)))
            try await replies.expect(250)
            try await command("QUIT", 221)
        }
    }

    /// The message as sent after `DATA`: headers, the body with CRLF line ends and leading dots
    /// doubled, and the closing dot.
    static func message(from: String, to: [String], subject: String?, body: String, id: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        var lines = [
            "From: \(from)", "To: \(to.joined(separator: ", "))", "Subject: \(encodedHeader(subject ?? ""))",
            "Date: \(formatter.string(from: date))", "Message-ID: <\(id)@formwork.local>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: 8bit", "",
        ]
        for line in body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(line.hasPrefix(".") ? "." + line : String(line))
        }
        return lines.joined(separator: "\r\n") + "\r\n.\r\n"
    }

    /// A header value, as an RFC 2047 encoded word when it is not plain ASCII.
    static func encodedHeader(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !$0.isASCII || $0.value < 32 }) else { return text }
        return "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }
}

/// Reads SMTP replies (`250 ok`, or multi-line `250-...` ending with `250 ...`) from a stream
/// of byte buffers.
struct SMTPReplies {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var pending = ""

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
        self.iterator = iterator
    }

    mutating func expect(_ codes: Int...) async throws { try await expect(codes) }

    mutating func expect(_ codes: [Int]) async throws {
        while true {
            let line = try await nextLine()
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPRelay.Refused(description: "unexpected reply '\(line)'") }
            if line.count > 3, line[line.index(line.startIndex, offsetBy: 3)] == "-" { continue }
            guard codes.contains(code) else { throw SMTPRelay.Refused(description: "the server answered '\(line)'") }
            return
        }
    }

    private mutating func nextLine() async throws -> String {
        while true {
            if let end = pending.range(of: "\r\n") ?? pending.range(of: "\n") {
                let line = String(pending[..<end.lowerBound])
                pending.removeSubrange(..<end.upperBound)
                return line
            }
            guard var buffer = try await iterator.next() else { throw SMTPRelay.Refused(description: "the server closed the connection") }
            pending += buffer.readString(length: buffer.readableBytes) ?? ""
        }
    }
}

/// Relays new outbox e-mail to an SMTP server while the simulator runs: it polls the outbox
/// twice a second, whatever the clock, and sends what was kept after message `start`.
struct OutboxRelayService: Service {
    let relay: SMTPRelay
    let start: Int64
    let outbox: Outbox
    let failures: DeliveryFailures
    let clock: SimulatorClock

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var last = start
            while !Task.isCancelled {
                for (sequence, message) in (try? outbox.numbered(after: last, kind: "email")) ?? [] {
                    last = sequence
                    let outcome = await FunctionHost.race(after: .seconds(60)) {
                        try await relay.send(
                            from: message.from.flatMap { $0.contains("@") ? $0 : nil } ?? Self.defaultSender(message.service),
                            to: message.to, subject: message.subject, body: message.body, messageId: message.id, date: message.createdAt)
                    }
                    let failure: String? =
                        switch outcome {
                        case .success?: nil
                        case .failure(let error)?: "\(error)"
                        case nil: "The SMTP server did not answer within 60 seconds."
                        }
                    if let error = failure {
                        failures.record(
                            DeliveryFailures.Failure(
                                eventId: message.id, target: relay.address, source: message.service, attempt: 1, error: "\(error)",
                                at: clock.now(), next: .dropped, event: message.body))
                    }
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// The sender AWS uses when a message has no address of its own.
    static func defaultSender(_ service: String) -> String {
        switch service {
        case "cognito-idp": "no-reply@verificationemail.com"
        case "sns": "no-reply@sns.amazonaws.com"
        default: "no-reply@formwork.local"
        }
    }
}
