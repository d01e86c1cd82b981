import Formwork
import FormworkCLI
import FormworkRuntime
import Foundation

/// The consumer's own handler: it depends on FormworkRuntime only, and reads the table and
/// the index it queries from its environment, as the blueprint sets them.
struct InventoryHandler: APIHandler {
    let services: Services
    init(services: Services) { self.services = services }

    func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse {
        let table = try services.requiredEnvironment("PRODUCTS_TABLE")
        let index = try services.requiredEnvironment("CATEGORY_INDEX")
        let items = try await services.tables.query(
            table: table,
            QueryRequest(
                keyConditionExpression: "category = :category",
                indexName: index, expressionAttributeValues: [":category": .string(request.pathParameters["category"] ?? "")]))
        return try .json(status: 200, ["count": items.count])
    }
}

/// The consumer's own blueprint: a products table with a category index, an images bucket
/// with its access logs, a REST API, encryption with its own key, and a firewall in production only.
struct Inventory: Blueprint {
    var environments: [Environment] { [.dev, .prod] }

    func architecture(for env: Environment) -> Architecture {
        let prod = env.isProduction
        let key = EncryptionKey("InventoryKey", summary: "Encrypts the inventory's table, logs and functions")
        let products = Table("ProductsTable", partitionKey: .string("sku"))
            .index("ByCategory", partitionKey: .string("category"))
            .encryption(.with(key))
            .pointInTimeRecovery(prod)
        let byCategory = products.index("ByCategory")
        let logs = Bucket("LogBucket")
            .receivesLogs()
            .versioned()
            .lifecycle(.expireObjects(after: .days(90)))
            .lifecycle(.expireNoncurrentVersions(after: .days(7)))
        let images = Bucket("ImagesBucket")
            .versioned()
            .accessLogs(to: logs, prefix: "images-access/")
            .lifecycle(.transition(to: .intelligentTiering, after: .days(30)).prefix("originals/"))
            .lifecycle(.expireObjects(after: .days(7), id: "ExpireUploads").prefix("uploads/").tagged("temporary", "true"))
            .lifecycle(.expireNoncurrentVersions(after: .days(30)))
        let firewall = WebACL("ApiFirewall") {
            FirewallRule.rateLimit("RateLimitPerAddress", requests: 500, per: .minutes(5))
            FirewallRule.managed("AWSKnownBadInputs", group: "AWSManagedRulesKnownBadInputsRuleSet")
        }
        .logEncryption(.with(key))
        let function = Function("InventoryFunction", handler: InventoryHandler.self)
            .environment("PRODUCTS_TABLE", products)
            .environment("CATEGORY_INDEX", byCategory)
            .environment("IMAGES_BUCKET", images)
            .grants(.query(byCategory), .read(images, prefix: "thumbnails/"))
            .allowing(["cloudwatch:PutMetricData"], on: ["*"], because: "PutMetricData takes no resource ARN; the handler records queries per category")
            .encryption(.with(key))
            .reservedConcurrency(prod ? 20 : nil)
        return Architecture("Inventory") {
            key
            products
            logs
            images
            function
            RestAPI("InventoryApi", stage: env.name, authorizer: nil) {
                Route(.get, "/categories/{category}/items", to: function, access: .public)
            }
            .cache(prod ? .cluster(size: "0.5") : nil)
            .logEncryption(.with(key))
            .firewall(prod ? firewall : nil)
            if prod { firewall }
        }
        .tags(["Project": "Inventory", "Owner": "inventory-team", "CostCenter": "CC-7"])
    }
}

exit(await FormworkCLI.run(blueprints: [Inventory()], commandName: "inventory"))
