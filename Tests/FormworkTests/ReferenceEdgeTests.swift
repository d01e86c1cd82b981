import Formwork
import Testing

@Suite("Reference edges: the architecture drawn as a graph")
struct ReferenceEdgeTests {
    @Test("references between the same two resources merge into one edge, labels once each, in the order written")
    func merging() {
        let table = Table("Items", partitionKey: .string("id"))
        let other = Table("Audit", partitionKey: .string("id"))
        let function = Function("Api", handler: RequestOnly.self)
            .environment("ITEMS", table)
            .grants(.read(table), .readWrite(table), .read(other))
            .environment("ITEMS_AGAIN", table)
        let architecture = Architecture("Shop") {
            table
            other
            function
            RestAPI("Public", stage: "prod", authorizer: nil) {
                Route(.get, "/items", to: function, access: .public)
                Route(.post, "/items", to: function, access: .public)
            }
        }
        let edges = architecture.referenceEdges.map { "\($0.from.name)>\($0.to.name): \($0.label)" }
        // A function lists its grants before its environment's references.
        #expect(edges == ["Api>Items: read, readWrite, env", "Api>Audit: read", "Public>Api: routes"])
    }
}
