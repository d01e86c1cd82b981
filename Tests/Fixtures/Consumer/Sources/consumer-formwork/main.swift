import Formwork
import FormworkCLI
import FormworkRuntime
import Foundation

/// The consumer's own handler: it depends on FormworkRuntime only.
struct InventoryHandler: APIHandler {
    let services: Services
    init(services: Services) { self.services = services }

    func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse {
        let table = try services.requiredEnvironment("INVENTORY_TABLE")
        let items = try await services.tables.query(table: table, QueryRequest(
            keyConditionExpression: "sku = :sku", expressionAttributeValues: [":sku": .string(request.pathParameters["sku"] ?? "")]))
        return try .json(status: 200, ["count": items.count])
    }
}

/// The consumer's own blueprint.
struct Inventory: Blueprint {
    var environments: [Environment] { [.dev, .prod] }

    func architecture(for env: Environment) -> Architecture {
        let table = Table("InventoryTable", partitionKey: .string("sku")).pointInTimeRecovery(env.isProduction)
        let function = Function("InventoryFunction", handler: InventoryHandler.self)
            .environment("INVENTORY_TABLE", table)
            .grants(.read(table))
        return Architecture("Inventory") {
            table
            function
            RestAPI("InventoryApi", stage: env.name, authorizer: nil) {
                Route(.get, "/items/{sku}", to: function, access: .public)
            }
        }
        .tags(["Project": "Inventory"])
    }
}

exit(await FormworkCLI.run(blueprints: [Inventory()]))
