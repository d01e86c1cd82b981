import Formwork
import FormworkRuntime

struct GeneratedHandler: APIHandler, ScheduledHandler {
    init(services: Services) {}
    func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse { .noContent() }
    func handle(_ event: ScheduledEvent, context: HandlerContext) async throws {}
}

/// An architecture of exactly 500 CloudFormation resources: 50 functions (function, role, log
/// group, queue), 150 tables, 50 topics and 50 schedules (rule and permission).
/// The variant changes a few percent of them (PITR on 8 tables, memory of 5 functions, the
/// names of 3 topics), for the diff benchmark.
struct GeneratedBlueprint: Blueprint {
    var variant = false
    var name: String { "Generated" }
    var environments: [Environment] { [.dev] }

    func architecture(for env: Environment) -> Architecture {
        let tables = (0..<150).map { index in
            Table("Table\(index)", partitionKey: .string("pk"), sortKey: .string("sk"))
                .index("ByOwner", partitionKey: .string("owner"), sortKey: .string("createdAt"))
                .pointInTimeRecovery(!(variant && index < 8))
        }
        let topics = (0..<50).map { index in
            variant && index < 3 ? Topic("Topic\(index)").named("renamed-topic-\(index)") : Topic("Topic\(index)")
        }
        let functions = (0..<50).map { index in
            Function("Function\(index)", handler: GeneratedHandler.self)
                .memory(variant && index < 5 ? 512 : 256)
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
