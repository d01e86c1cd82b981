import Formwork
import FormworkRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The console for the local cloud at `/_formwork/`: static pages (no build step, nothing from
/// outside) over the control API, the live feeds of the outbox and the function logs, and the
/// AWS wire APIs called as the account's administrator.
struct Console {
    let simulator: Simulator
    let assets = ConsoleAssets()

    func addRoutes(to router: Router<BasicRequestContext>) {
        let simulator = self.simulator, assets = self.assets
        router.get("/_formwork") { _, _ in assets.response(for: "index.html") }
        router.get("/_formwork/console/**") { _, context in
            assets.response(for: context.parameters.getCatchAll().joined(separator: "/"))
        }
        router.get("/_formwork/architecture") { _, _ in ControlResponse.json(Self.architecture(of: simulator)) }
        router.get("/_formwork/outbox/events") { request, _ in
            EventStream(database: simulator.database, tables: [Outbox.table]) { after in
                try simulator.outbox.numbered(after: after, limit: after == nil ? 100 : 500).map {
                    EventStream.Event(id: $0.sequence, name: "message", data: ControlJSON.message($0.message, sequence: $0.sequence))
                }
            }.response(to: request)
        }
        router.get("/_formwork/logs/events") { request, _ -> Response in
            var groups: [String: String] = [:]
            for function in simulator.architecture.resources(of: Function.self) {
                groups[simulator.functions.logGroup(function)] = function.name
            }
            if let name = request.uri.queryParameters.get("function") {
                guard let function = simulator.functions.function(named: name) else {
                    return ControlResponse.json(["message": "No function '\(name)' in the blueprint."], status: .notFound)
                }
                groups = groups.filter { $0.value == function.name }
            }
            let names = groups, selected = Set(groups.keys)
            return EventStream(database: simulator.database, tables: [FunctionLogs.table]) { after in
                try simulator.functions.logs.numbered(after: after, groups: selected, limit: after == nil ? 200 : 1000).map { entry in
                    EventStream.Event(
                        id: entry.sequence, name: "log",
                        data: [
                            "sequence": entry.sequence, "function": names[entry.logGroup] ?? entry.logGroup, "logGroup": entry.logGroup,
                            "timestamp": JSONCoding.formatDate(entry.line.timestamp), "requestId": entry.line.requestId,
                            "message": entry.line.message,
                        ])
                }
            }.response(to: request)
        }
        router.post("/_formwork/aws") { request, _ -> Response in
            let target = request.headers[HeaderNames.target] ?? ""
            let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
            return await simulator.answerWire(target: target, body: Data(buffer: body), signed: true)
        }
    }

    /// The model drawn for the console: resources with their local names, the references
    /// between them, and every route of every REST API with its URL.
    static func architecture(of simulator: Simulator) -> [String: Any] {
        let entries = simulator.naming.entries(of: simulator.architecture, endpoint: simulator.endpoint)
        let byId = Dictionary(entries.map { ($0.logicalId, $0) }, uniquingKeysWith: { first, _ in first })
        let resources = simulator.architecture.resources.map { resource -> [String: Any] in
            var value: [String: Any] = [
                "id": resource.name, "kind": resource.id.kind.rawValue,
                "declaredAt": "\(resource.location.fileID):\(resource.location.line):\(resource.location.column)",
            ]
            value["name"] = byId[resource.name]?.name
            value["arn"] = byId[resource.name]?.arn
            value["url"] = byId[resource.name]?.url
            return value
        }
        let references = simulator.architecture.referenceEdges.map { ["from": $0.from.name, "to": $0.to.name, "label": $0.label] }
        let routes = simulator.gateways.flatMap { gateway in
            gateway.api.routes.map { route -> [String: Any] in
                [
                    "api": gateway.api.name, "method": route.method.rawValue, "path": route.path, "function": route.function.name,
                    "access": route.isPublic ? "public" : route.groups.isEmpty ? "signed-in" : "groups",
                    "groups": route.groups.map(\.name), "url": gateway.url + route.path,
                ]
            }
        }
        return [
            "name": simulator.architecture.name, "environment": simulator.environment.name, "resources": resources,
            "references": references, "routes": routes,
        ]
    }
}

/// The console's files: from the package's sources when they are on this machine (edits show
/// on reload), otherwise from the resource bundle built beside the executable.
struct ConsoleAssets: Sendable {
    let directory: URL?

    init() {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Console")
        let beside = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()].compactMap { $0 }
        let bundled = beside.lazy.compactMap { folder in
            (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?
                .first { $0.hasSuffix("_FormworkSimulator.resources") }
                .map { folder.appendingPathComponent($0).appendingPathComponent("Console") }
        }
        directory = ([source] + bundled).first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("index.html").path) }
    }

    /// Security headers of every console answer: nothing runs or loads from anywhere but here.
    static let headers: [(String, String)] = [
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ),
        ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"), ("Cache-Control", "no-cache"),
    ]

    /// The file at `path` (relative to the console's folder), or a JSON 404.
    func response(for path: String) -> Response {
        guard let directory else {
            return ControlResponse.json(
                ["message": "The console's files were not found beside this executable or in the package's sources."], status: .serviceUnavailable)
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }) else { return ControlResponse.notFound() }
        let file = directory.appendingPathComponent(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: file.path)
        else { return ControlResponse.notFound() }
        var headers: HTTPFields = [.contentType: SiteService.mimeType(of: file.pathExtension)]
        for (name, value) in Self.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// JSON shapes the control API and the console's feeds share.
enum ControlJSON {
    static func message(_ message: Outbox.Message, sequence: Int64? = nil) -> [String: Any] {
        var value: [String: Any] = [
            "id": message.id, "service": message.service, "kind": message.kind, "to": message.to, "body": message.body,
            "createdAt": JSONCoding.formatDate(message.createdAt),
        ]
        value["sequence"] = sequence
        value["from"] = message.from
        value["subject"] = message.subject
        if !message.attributes.isEmpty {
            value["attributes"] = message.attributes.mapValues { ["Type": $0.type, "Value": $0.value] }
        }
        return value
    }
}
