import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Options of the commands that talk to a running `formwork simulate`.
struct SimulatorEndpointOptions: ParsableArguments {
    @Option(name: .long, help: "Where the simulator listens.")
    var endpoint = "http://127.0.0.1:4566"

    var client: SimulatorClient { SimulatorClient(endpoint: endpoint) }
}

/// A small JSON client of the simulator's control API.
struct SimulatorClient {
    let endpoint: String

    /// Sends a request; returns the status and the body parsed as JSON. Exits 2 with a clear
    /// message when nothing answers.
    func send(_ method: String, _ path: String, body: Data? = nil) async throws -> (status: Int, json: [String: Any]) {
        guard let url = URL(string: endpoint.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path) else {
            throw CommandFailure.usage("error: '\(endpoint)' is not a URL")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 300
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CommandFailure.usage(
                "error: no simulator answers at \(endpoint) (\(error.localizedDescription)); start one with `formwork simulate`, or pass --endpoint")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CommandFailure.usage("error: \(endpoint) answered HTTP \(status) without JSON; is it a formwork simulator?")
        }
        return (status, json)
    }

    /// Like ``send(_:_:body:)``, but a 4xx or 5xx answer is an error with the simulator's message.
    func expect(_ method: String, _ path: String, body: Data? = nil) async throws -> [String: Any] {
        let (status, json) = try await send(method, path, body: body)
        guard (200..<300).contains(status) else {
            throw CommandFailure.usage("error: \(json["message"] as? String ?? "the simulator answered HTTP \(status)")")
        }
        return json
    }
}

/// `formwork clock`: shows or moves a running simulator's clock.
struct ClockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clock",
        abstract: "Show or move a running simulator's clock.",
        discussion: """
            formwork clock                      the time and the mode
            formwork clock advance 25h          moves it forward (also 90m, 2d, 1h30m or ISO 8601 PT25H)
            formwork clock set 2026-12-24T09:00:00Z

            Moving the clock runs every schedule that falls due, in order, each at its own time,
            and returns when they and what they caused have finished.
            """)

    @OptionGroup var server: SimulatorEndpointOptions

    @Argument(help: "show, advance DURATION or set TIME.")
    var words: [String] = []

    func run() async throws {
        let client = server.client
        let answer: [String: Any]
        switch words.first ?? "show" {
        case "show" where words.count <= 1:
            answer = try await client.expect("GET", "/_formwork/clock")
        case "advance" where words.count == 2:
            guard let duration = Self.isoDuration(words[1]) else {
                throw CommandFailure.usage("error: '\(words[1])' is not a duration such as 25h, 90m, 2d, 1h30m or PT25H")
            }
            answer = try await client.expect("POST", "/_formwork/clock", body: try JSONSerialization.data(withJSONObject: ["advance": duration]))
        case "set" where words.count == 2:
            answer = try await client.expect("POST", "/_formwork/clock", body: try JSONSerialization.data(withJSONObject: ["set": words[1]]))
        default:
            throw CommandFailure.usage("error: use `formwork clock`, `formwork clock advance DURATION` or `formwork clock set TIME`")
        }
        Console.print("\(answer["now"] as? String ?? "?") (\(answer["mode"] as? String ?? "?") clock)")
    }

    /// `25h`, `90m`, `2d`, `1h30m`, `45s` as ISO 8601; ISO 8601 as it is.
    static func isoDuration(_ text: String) -> String? {
        let upper = text.uppercased()
        if upper.hasPrefix("P") || upper.hasPrefix("-P") { return upper }
        var days = "", time = "", number = ""
        for character in upper {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            guard !number.isEmpty else { return nil }
            switch character {
            case "D", "W": days += number + String(character)
            case "H", "M", "S": time += number + String(character)
            default: return nil
            }
            number = ""
        }
        guard number.isEmpty, !(days + time).isEmpty else { return nil }
        return "P" + days + (time.isEmpty ? "" : "T" + time)
    }
}

/// `formwork invoke`: runs one function of a running simulator with an event.
struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Run one function of a running simulator and print its response and log.",
        discussion: """
            The response goes to standard output, the log lines to standard error, as with
            `sam local invoke`. The exit status is 1 when the function failed.

            formwork invoke TaskManagementFunction --event event.json
            formwork invoke NotificationFunction --scheduled
            formwork invoke NotificationFunction --sns '{"notificationId": "..."}'
            """)

    @OptionGroup var server: SimulatorEndpointOptions

    @Argument(help: "The function: its logical id or its name.")
    var function: String

    @Option(name: .long, help: "A JSON event (API Gateway proxy, scheduled or SNS); - reads standard input.")
    var event: String?

    @Flag(name: .long, help: "Send the event the function's schedule would send now.")
    var scheduled = false

    @Option(name: .long, help: "Send this message as its topic would deliver it.")
    var sns: String?

    func validate() throws {
        if [event != nil, scheduled, sns != nil].filter({ $0 }).count != 1 {
            throw ValidationError("give exactly one of --event FILE, --scheduled and --sns MESSAGE")
        }
    }

    func run() async throws {
        let name = function.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? function
        let path: String
        let body: Data
        if let event {
            do {
                body = event == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: event))
            } catch {
                throw CommandFailure.usage("error: cannot read \(event): \(error.localizedDescription)")
            }
            path = "/_formwork/functions/\(name)/invoke"
        } else if let sns {
            (path, body) = ("/_formwork/functions/\(name)/invoke?event=sns", Data(sns.utf8))
        } else {
            (path, body) = ("/_formwork/functions/\(name)/invoke?event=scheduled", Data())
        }
        let answer = try await server.client.expect("POST", path, body: body)
        for line in answer["log"] as? [[String: Any]] ?? [] {
            Console.error("\(line["timestamp"] as? String ?? "") \(line["message"] as? String ?? "")")
        }
        if let response = answer["response"],
            let data = try? JSONSerialization.data(withJSONObject: response, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        {
            Console.print(String(decoding: data, as: UTF8.self))
        }
        if answer["status"] as? String != "succeeded" {
            throw CommandFailure.findings("error: \(answer["error"] as? String ?? "the invocation failed")")
        }
    }
}

/// `formwork outbox`: what a running simulator sent out.
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Show the e-mail, SMS and HTTP messages a running simulator sent.",
        discussion: "With --follow it keeps printing new messages until interrupted.")

    @OptionGroup var server: SimulatorEndpointOptions

    @Option(name: .long, help: "Only messages to this address, number or URL.")
    var to: String?

    @Flag(name: .long, help: "Keep printing new messages.")
    var follow = false

    @Flag(name: .long, help: "Print the messages as JSON, one per line.")
    var json = false

    func run() async throws {
        var seen: Set<String> = []
        var since: String?
        repeat {
            var query = [URLQueryItem]()
            if let to { query.append(URLQueryItem(name: "to", value: to)) }
            if let since { query.append(URLQueryItem(name: "since", value: since)) }
            var components = URLComponents()
            components.queryItems = query.isEmpty ? nil : query
            let answer = try await server.client.expect("GET", "/_formwork/outbox" + (components.percentEncodedQuery.map { "?" + $0 } ?? ""))
            for message in answer["messages"] as? [[String: Any]] ?? [] {
                guard let id = message["id"] as? String, seen.insert(id).inserted else { continue }
                Console.print(json ? Self.line(message) : Self.describe(message))
                since = (message["createdAt"] as? String).map { Self.secondBefore($0) } ?? since
            }
            if follow { try await Task.sleep(for: .seconds(1)) }
        } while follow
    }

    /// A second before `time`, so that messages sent in the same second are fetched again
    /// (and skipped by id) rather than missed.
    static func secondBefore(_ time: String) -> String {
        guard let date = ISO8601DateFormatter().date(from: time) else { return time }
        return ISO8601DateFormatter().string(from: date.addingTimeInterval(-1))
    }

    static func line(_ message: [String: Any]) -> String {
        (try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys, .withoutEscapingSlashes])).map {
            String(decoding: $0, as: UTF8.self)
        } ?? "{}"
    }

    static func describe(_ message: [String: Any]) -> String {
        let to = (message["to"] as? [String] ?? []).joined(separator: ", ")
        var text = "\(message["createdAt"] as? String ?? "")  \(message["service"] as? String ?? "") \(message["kind"] as? String ?? "")"
        if let from = message["from"] as? String { text += "  from \(from)" }
        text += "  to \(to)"
        if let subject = message["subject"] as? String { text += "\n  Subject: \(subject)" }
        let body = (message["body"] as? String ?? "").split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        return text + "\n" + body.joined(separator: "\n") + "\n"
    }
}
