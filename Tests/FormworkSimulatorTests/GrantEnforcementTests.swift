import Formwork
import FormworkRuntime
import Testing

@testable import FormworkSimulator

/// A handler for functions that are only checked, never run.
private struct Probe: APIHandler {
    init(services: Services) {}
    func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse { .noContent() }
}

/// The simulator's permission check for what this wave added to the grants: one index queried,
/// and statements beyond the grants, as a function's calls reach them.
@Suite("Grant enforcement: one index, statements beyond the grants")
struct GrantEnforcementTests {
    let products = Table("Products", partitionKey: .string("sku"))
        .index("ByCategory", partitionKey: .string("category"))
        .index("ByBrand", partitionKey: .string("brand"))

    func permissions(_ function: Function) -> Permissions {
        let products = products
        let architecture = Architecture("Inventory") {
            products; function
        }
        return Permissions(
            function: function, architecture: architecture, naming: LocalResources(architecture: architecture, environment: .dev, region: "us-east-1"))
    }

    @Test("query on one index allows that index only, and nothing on the table")
    func oneIndex() {
        let check = permissions(Function("Catalogue", handler: Probe.self).grants(.query(products.index("ByCategory"))))
        let (id, arn) = check.table(named: check.naming.tableName(products))
        #expect(id == products.id)
        #expect(check.denial("dynamodb:Query", on: id, arn: arn, index: "ByCategory") == nil)
        #expect(check.denial("dynamodb:Query", on: id, arn: arn, index: "ByBrand")?.contains("\(arn)/index/ByBrand") == true)
        #expect(check.denial("dynamodb:Query", on: id, arn: arn) != nil)
        #expect(check.denial("dynamodb:GetItem", on: id, arn: arn) != nil)
    }

    @Test("a statement beyond the grants allows its actions on the ARNs it names, and nothing else")
    func beyondGrants() {
        let function = Function("Reporter", handler: Probe.self)
            .allowing(["dynamodb:Describe*"], on: ["arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"], because: "reports table sizes")
        let check = permissions(function)
        let (id, arn) = check.table(named: check.naming.tableName(products))
        #expect(check.denial("dynamodb:DescribeTable", on: id, arn: arn) == nil)
        #expect(check.denial("dynamodb:GetItem", on: id, arn: arn)?.contains("is not authorized to perform: dynamodb:GetItem") == true)
        #expect(check.denial("ssm:DescribeParameters", on: nil, arn: "*") != nil)
    }
}
