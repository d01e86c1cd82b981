// The types the documentation's examples name without declaring: stand-ins with the shapes the
// examples need. The names an example uses as values are its wrapper's parameters
// (scripts/doc_examples.py).
import Formwork
import FormworkCLI
import FormworkRuntime
import Foundation

/// A task as the examples encode it.
struct TaskRecord: Codable, Sendable {
    var taskId: String
    var title: String
}

/// An API handler under the names the examples give it.
struct TaskManagementHandler: APIHandler {
    init(services: Services) {}
    func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse { .noContent() }
}

typealias TaskHandler = TaskManagementHandler

/// A request body's schema, as a route names it.
enum CreateTask {
    static let schema = JSONSchema.object("CreateTask", properties: [.init("title", .string(minLength: 1, maxLength: 200))], required: ["title"])
}

/// A blueprint under the names the examples give it.
struct TaskManagement: Blueprint {
    func architecture(for env: Environment) -> Architecture { Architecture("TaskManagement") {} }
}

typealias MyBlueprint = TaskManagement

typealias Inventory = TaskManagement
