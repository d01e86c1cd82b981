import Formwork
import FormworkRuntime

struct GeneratedHandler: APIHandler, ScheduledHandler {
    init(services: Services) {}
    func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse { .noContent() }
    func handle(_ event: ScheduledEvent, context: HandlerContext) async throws {}
}

/// An architecture of exactly 500 CloudFormation resources: 50 functions (function, role, log
/// group, queue), 150 tables, 50 topics and 50 schedules (rule and permission).
struct GeneratedBlueprint: Blueprint {
    var name: String { "Generated" }
    var environments: [Environment] { [.dev] }

    func architecture(for env: Environment) -> Architecture {
        let tables = (0..<150).map { index in
            Table("Table\(index)", partitionKey: .string("pk"), sortKey: .string("sk"))
                .index("ByOwner", partitionKey: .string("owner"), sortKey: .string("createdAt"))
                .pointInTimeRecovery(true)
        }
        let topics = (0..<50).map { Topic("Topic\($0)") }
        let functions = (0..<50).map { index in
            Function("Function\(index)", handler: GeneratedHandler.self)
                .memory(256)
                .environment("TABLE", tables[index])
                .environment("TOPIC", topics[index])
                .grants(.readWrite(tables[index]), .read(tables[index + 50]), .publish(topics[index]))
        }
        let schedules = functions.enumerated().map { index, function in
            Schedule("Schedule\(index)", .rate(.minutes(5 + index)), invoke: function)
        }
        return Architecture("Generated") {
            tables.map { $0 as any Resource }
            topics.map { $0 as any Resource }
            functions.map { $0 as any Resource }
            schedules.map { $0 as any Resource }
        }
        .tags(["Project": "Generated"])
    }
}
