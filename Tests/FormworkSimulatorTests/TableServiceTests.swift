import Formwork
import Foundation
import FormworkRuntime
import FormworkSimulator
import Testing

/// A tasks table like the blueprint's, and a table with a numeric sort key.
let taskSchema = TableSchema(
    Table("tasks", partitionKey: .string("taskId"))
        .index("ByAssignee", partitionKey: .string("assigneeId"), sortKey: .string("deadline"))
        .index("ByStatus", partitionKey: .string("status"), sortKey: .string("deadline"), projection: .keysOnly))
let scoreSchema = TableSchema(Table("scores", partitionKey: .string("player"), sortKey: .number("score")))
let textSchema = TableSchema(Table("words", partitionKey: .string("group"), sortKey: .string("word")))

func service(_ store: TableStore? = nil) throws -> TableService {
    try TableService(schemas: [taskSchema, scoreSchema, textSchema], store: try store ?? .inMemory())
}

/// A service on an in-memory queue, or on a file pool in WAL mode, for tests that run on both.
func service(onFile: Bool) throws -> TableService {
    guard onFile else { return try service() }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("formwork-tables-\(UUID().uuidString)/state.sqlite").path
    return try service(.file(path))
}

func task(_ id: String, assignee: String? = nil, deadline: String = "2026-12-01", status: String = "todo", extra: TableItem = [:]) -> TableItem {
    var item: TableItem = ["taskId": .string(id), "deadline": .string(deadline), "status": .string(status), "title": .string("Task \(id)")]
    if let assignee { item["assigneeId"] = .string(assignee) }
    return item.merging(extra) { $1 }
}

func expectError(_ code: String, containing text: String = "", _ body: () async throws -> Void,
                 sourceLocation: Testing.SourceLocation = #_sourceLocation) async {
    do {
        try await body()
        Issue.record("expected \(code)", sourceLocation: sourceLocation)
    } catch let error as TableError {
        #expect(error.awsErrorCode == code, "\(error)", sourceLocation: sourceLocation)
        #expect(text.isEmpty || error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Table service: DynamoDB semantics on SQLite")
struct TableServiceTests {
    @Test("put and get round-trip; numbers come back canonical; projections")
    func roundTrip() async throws {
        let tables = try service()
        try await tables.putItem(table: "tasks", item: task("t1", extra: ["n": .number("1.50"), "tags": .stringSet(["a", "b"])]))
        let item = try await tables.getItem(table: "tasks", key: ["taskId": "t1"])
        #expect(item?["n"] == .number("1.5"))
        #expect(item?["tags"] == .stringSet(["b", "a"]))
        let projected = try await tables.getItem(table: "tasks", key: ["taskId": "t1"], consistentRead: true,
                                                 projection: ProjectionExpression("title, #s", names: ["#s": "status"]))
        #expect(projected == ["title": "Task t1", "status": "todo"])
        #expect(try await tables.getItem(table: "tasks", key: ["taskId": "missing"]) == nil)
    }

    @Test("a failed condition changes nothing")
    func conditionalPut() async throws {
        let tables = try service()
        try await tables.putItem(table: "tasks", item: task("t1"))
        await expectError("ConditionalCheckFailedException") {
            try await tables.putItem(table: "tasks", item: task("t1", status: "done"), condition: .attributeNotExists("taskId"))
        }
        #expect(try await tables.getItem(table: "tasks", key: ["taskId": "t1"])?["status"] == "todo")
    }

    @Test("update: SET arithmetic exactly, REMOVE, ADD, return values")
    func update() async throws {
        let tables = try service()
        try await tables.putItem(table: "tasks", item: task("t1", extra: ["n": .number("0.1"), "stale": "x"]))
        let updated = try await tables.updateItem(
            table: "tasks", key: ["taskId": "t1"],
            update: UpdateExpression("SET n = n + :d REMOVE stale ADD #c :one", names: ["#c": "count"], values: [":d": .number("0.2"), ":one": .number("1")]),
            condition: nil, returnValues: .updatedNew)
        #expect(updated == ["n": .number("0.3"), "count": .number("1")])
        let old = try await tables.updateItem(table: "tasks", key: ["taskId": "t1"], update: UpdateExpression("SET #s = :s", names: ["#s": "status"], values: [":s": "done"]),
                                              condition: nil, returnValues: .updatedOld)
        #expect(old == ["status": "todo"])
        await expectError("ValidationException", containing: "part of the key") {
            try await tables.updateItem(table: "tasks", key: ["taskId": "t1"], update: UpdateExpression("SET taskId = :x", values: [":x": "y"]),
                                        condition: nil, returnValues: .none)
        }
    }

    @Test("strings order by UTF-8 bytes, numbers numerically, exactly")
    func ordering() async throws {
        let tables = try service()
        for word in ["b", "é", "Z", "a", "B", "aa"] { try await tables.putItem(table: "words", item: ["group": "g", "word": .string(word)]) }
        let words = try await tables.query(table: "words", QueryRequest(keyConditionExpression: "#g = :g", expressionAttributeNames: ["#g": "group"],
                                                                          expressionAttributeValues: [":g": "g"])).items.compactMap { $0["word"]?.stringValue }
        #expect(words == ["B", "Z", "a", "aa", "b", "é"])
        let scores = ["25", "-10", "3", "1e2", "0", "-2.5", "0.000000000000000000000000000000000001", "99999999999999999999999999999999999999"]
        for score in scores { try await tables.putItem(table: "scores", item: ["player": "p", "score": .number(score)]) }
        let request = QueryRequest(keyConditionExpression: "player = :p", expressionAttributeValues: [":p": "p"])
        let ordered = try await tables.query(table: "scores", request).items.compactMap { $0["score"]?.numberValue }
        #expect(ordered == ["-10", "-2.5", "0", "0.000000000000000000000000000000000001", "3", "25", "100", "99999999999999999999999999999999999999"])
        var backwards = request
        backwards.scanIndexForward = false
        #expect(try await tables.query(table: "scores", backwards).items.compactMap { $0["score"]?.numberValue } == ordered.reversed())
        let between = try await tables.query(table: "scores", QueryRequest(keyConditionExpression: "player = :p AND score BETWEEN :a AND :b",
                                                                          expressionAttributeValues: [":p": "p", ":a": .number("-3"), ":b": .number("25")]))
        #expect(between.items.compactMap { $0["score"]?.numberValue } == ["-2.5", "0", "0.000000000000000000000000000000000001", "3", "25"])
    }

    @Test("GSIs are sparse, sorted by their keys, and project as declared", arguments: [false, true])
    func indexes(onFile: Bool) async throws {
        let tables = try service(onFile: onFile)
        try await tables.putItem(table: "tasks", item: task("t1", assignee: "ann", deadline: "2026-12-03"))
        try await tables.putItem(table: "tasks", item: task("t2", assignee: "ann", deadline: "2026-12-01"))
        try await tables.putItem(table: "tasks", item: task("t3", deadline: "2026-12-02"))
        try await tables.putItem(table: "tasks", item: task("t4", assignee: "bob"))
        let ann = try await tables.query(table: "tasks", QueryRequest(keyConditionExpression: "assigneeId = :a", indexName: "ByAssignee",
                                                                        expressionAttributeValues: [":a": "ann"]))
        #expect(ann.items.compactMap { $0["taskId"]?.stringValue } == ["t2", "t1"])
        #expect(ann.items.first?["title"] == "Task t2")
        let todo = try await tables.query(table: "tasks", QueryRequest(keyConditionExpression: "#s = :s", indexName: "ByStatus",
                                                                         expressionAttributeNames: ["#s": "status"], expressionAttributeValues: [":s": "todo"]))
        #expect(todo.items.count == 4)
        #expect(Set(todo.items.flatMap(\.keys)) == ["taskId", "status", "deadline"])
        // Moving an item out of the index removes its entry in the same write.
        try await tables.updateItem(table: "tasks", key: ["taskId": "t1"], update: UpdateExpression("REMOVE assigneeId"), condition: nil, returnValues: .none)
        let after = try await tables.scan(table: "tasks", ScanRequest(indexName: "ByAssignee"))
        #expect(Set(after.items.compactMap { $0["taskId"]?.stringValue }) == ["t2", "t4"])
        await expectError("ValidationException", containing: "Consistent reads are not supported") {
            _ = try await tables.query(table: "tasks", QueryRequest(keyConditionExpression: "assigneeId = :a", indexName: "ByAssignee",
                                                                    expressionAttributeValues: [":a": "ann"], consistentRead: true))
        }
    }

    @Test("Limit pages with LastEvaluatedKey; the filter applies after the limit", arguments: [false, true])
    func paging(onFile: Bool) async throws {
        let tables = try service(onFile: onFile)
        for (i, score) in ["1", "2", "3", "4", "5"].enumerated() {
            try await tables.putItem(table: "scores", item: ["player": "p", "score": .number(score), "even": .bool(i % 2 == 1)])
        }
        var request = QueryRequest(keyConditionExpression: "player = :p", filterExpression: "even = :t",
                                   expressionAttributeValues: [":p": "p", ":t": true], limit: 2)
        var pages: [[String]] = []
        var keys: [TableItem?] = []
        repeat {
            let page = try await tables.query(table: "scores", request)
            pages.append(page.items.compactMap { $0["score"]?.numberValue })
            keys.append(page.lastEvaluatedKey)
            request.exclusiveStartKey = page.lastEvaluatedKey
        } while request.exclusiveStartKey != nil
        #expect(pages == [["2"], ["4"], []])
        #expect(keys.first??["score"] == .number("2"))
        let count = try await tables.scan(table: "scores", ScanRequest(select: .count))
        #expect(count.count == 5 && count.items.isEmpty)
    }

    @Test("scan segments partition the table")
    func segments() async throws {
        let tables = try service()
        for i in 0..<40 { try await tables.putItem(table: "tasks", item: task("t\(i)")) }
        var seen: [String] = []
        for segment in 0..<3 {
            seen += try await tables.scanAll(table: "tasks", ScanRequest(segment: segment, totalSegments: 3)).compactMap { $0["taskId"]?.stringValue }
        }
        #expect(seen.count == 40 && Set(seen).count == 40)
    }

    @Test("a cancelled transaction writes nothing and says why", arguments: [false, true])
    func transactions(onFile: Bool) async throws {
        let tables = try service(onFile: onFile)
        try await tables.putItem(table: "tasks", item: task("t1"))
        try await tables.putItem(table: "tasks", item: task("t3"))
        do {
            try await tables.transactWrite([
                .put(table: "tasks", item: task("t2")),
                .update(table: "tasks", key: ["taskId": "t1"], update: UpdateExpression("SET title = :t", values: [":t": "changed"])),
                .conditionCheck(table: "tasks", key: ["taskId": "t3"], condition: ConditionExpression("#s = :done", names: ["#s": "status"], values: [":done": "done"])),
            ])
            Issue.record("expected a cancellation")
        } catch TableError.transactionCanceled(let reasons) {
            #expect(reasons.map(\.code) == ["None", "None", "ConditionalCheckFailed"])
        }
        #expect(try await tables.getItem(table: "tasks", key: ["taskId": "t2"]) == nil)
        #expect(try await tables.getItem(table: "tasks", key: ["taskId": "t1"])?["title"] == "Task t1")
        await expectError("ValidationException", containing: "multiple operations on one item") {
            try await tables.transactWrite([.put(table: "tasks", item: task("t9")), .delete(table: "tasks", key: ["taskId": "t9"])])
        }
        try await tables.transactWrite([.put(table: "tasks", item: task("t2")), .delete(table: "tasks", key: ["taskId": "t1"])])
        #expect(try await tables.getItem(table: "tasks", key: ["taskId": "t1"]) == nil)
    }

    @Test("DynamoDB's validation errors", arguments: [
        ("missing key", "Missing the key taskId in the item"),
        ("wrong key type", "Type mismatch for key taskId expected: S actual: N"),
        ("empty key", "cannot contain an empty string value"),
        ("too many digits", "more than 38 significant digits"),
        ("too large", "Item size has exceeded the maximum allowed size"),
        ("empty set", "may not be empty"),
        ("index key type", "Type mismatch for Index Key assigneeId"),
    ])
    func validation(name: String, message: String) async throws {
        let tables = try service()
        let item: TableItem = switch name {
        case "missing key": ["title": "x"]
        case "wrong key type": ["taskId": .number("1")]
        case "empty key": ["taskId": ""]
        case "too many digits": ["taskId": "t", "n": .number("1234567890123456789012345678901234567890")]
        case "too large": ["taskId": "t", "blob": .string(String(repeating: "x", count: 410 * 1024))]
        case "empty set": ["taskId": "t", "tags": .stringSet([])]
        default: ["taskId": "t", "assigneeId": .number("7")]
        }
        await expectError("ValidationException", containing: message) { try await tables.putItem(table: "tasks", item: item) }
        await expectError("ResourceNotFoundException") { try await tables.putItem(table: "nope", item: ["taskId": "t"]) }
        await expectError("ValidationException", containing: "does not match the schema") {
            _ = try await tables.getItem(table: "tasks", key: ["taskId": "t", "extra": "x"])
        }
    }

    @Test("state survives closing and reopening the database file")
    func persistence() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("formwork-tables-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.sqlite").path
        do {
            let tables = try service(.file(path))
            try await tables.putItem(table: "tasks", item: task("kept", assignee: "ann"))
        }
        let reopened = try service(.file(path))
        #expect(try await reopened.getItem(table: "tasks", key: ["taskId": "kept"])?["assigneeId"] == "ann")
        let viaIndex = try await reopened.query(table: "tasks", QueryRequest(keyConditionExpression: "assigneeId = :a", indexName: "ByAssignee",
                                                                              expressionAttributeValues: [":a": "ann"]))
        #expect(viaIndex.items.count == 1)
    }
}

@Suite("Numbers from requests")
struct NumberInputTests {
    @Test("extreme exponents and very long number text are validation errors, not crashes or stalls", arguments: [
        "1e-9223372036854775808", "1e9223372036854775807", "1e99999999999999999999",
        String(repeating: "0", count: 100_000) + "1", "1e200", "1e-200",
    ])
    func extreme(text: String) async throws {
        let tables = try service()
        await expectError("ValidationException") {
            try await tables.putItem(table: "tasks", item: ["taskId": "t", "n": .number(text)])
        }
    }

    @Test("leading and trailing zeros are dropped, exactly")
    func zeros() throws {
        #expect(try DynamoNumber(parsing: "000120.500").description == "120.5")
        #expect(try DynamoNumber(parsing: "-0.000").description == "0")
        #expect(try DynamoNumber(parsing: "12e3").description == "12000")
    }
}

@Suite("Stored state follows the blueprint")
struct SchemaChangeTests {
    @Test("an index added, changed or removed since the state was written is rebuilt from the items")
    func indexesRebuilt() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("formwork-schema-\(UUID().uuidString)/state.sqlite").path
        let plain = TableSchema(Table("tasks", partitionKey: .string("taskId")))
        do {
            let tables = try TableService(schemas: [plain], store: .file(path))
            try await tables.putItem(table: "tasks", item: task("t1", assignee: "ann"))
            try await tables.putItem(table: "tasks", item: task("t2", assignee: "bob"))
        }
        let indexed = try TableService(schemas: [taskSchema], store: .file(path))
        let ann = try await indexed.query(table: "tasks", QueryRequest(keyConditionExpression: "assigneeId = :a", indexName: "ByAssignee",
                                                                        expressionAttributeValues: [":a": "ann"]))
        #expect(ann.items.compactMap { $0["taskId"]?.stringValue } == ["t1"])
        let byTitle = TableSchema(Table("tasks", partitionKey: .string("taskId")).index("ByAssignee", partitionKey: .string("title")))
        let changed = try TableService(schemas: [byTitle], store: .file(path))
        let stale = try await changed.query(table: "tasks", QueryRequest(keyConditionExpression: "title = :a", indexName: "ByAssignee",
                                                                          expressionAttributeValues: [":a": "ann"]))
        #expect(stale.items.isEmpty)
        let fresh = try await changed.query(table: "tasks", QueryRequest(keyConditionExpression: "title = :t", indexName: "ByAssignee",
                                                                          expressionAttributeValues: [":t": "Task t2"]))
        #expect(fresh.items.compactMap { $0["taskId"]?.stringValue } == ["t2"])
    }

    @Test("a changed key schema over stored items is refused with a clear message")
    func keysChanged() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("formwork-schema-\(UUID().uuidString)/state.sqlite").path
        do {
            let tables = try TableService(schemas: [taskSchema], store: .file(path))
            try await tables.putItem(table: "tasks", item: task("t1"))
        }
        let numeric = TableSchema(Table("tasks", partitionKey: .number("taskId")))
        #expect(throws: TableError.self) { try TableService(schemas: [numeric], store: .file(path)) }
    }
}

@Suite("Edge cases DynamoDB checks")
struct TableEdgeCaseTests {
    @Test("a transaction whose update would be invalid is cancelled with ValidationError, nothing written")
    func transactionValidation() async throws {
        let tables = try service()
        try await tables.putItem(table: "tasks", item: task("t1", extra: ["title": "text"]))
        do {
            try await tables.transactWrite([
                .put(table: "tasks", item: task("t2")),
                .update(table: "tasks", key: ["taskId": "t1"], update: UpdateExpression("ADD title :one", values: [":one": .number("1")])),
            ])
            Issue.record("expected a cancellation")
        } catch TableError.transactionCanceled(let reasons) {
            #expect(reasons.map(\.code) == ["None", "ValidationError"])
        }
        #expect(try await tables.getItem(table: "tasks", key: ["taskId": "t2"]) == nil)
    }

    @Test("an ExclusiveStartKey outside the key condition is rejected")
    func startKeyBoundaries() async throws {
        let tables = try service()
        try await tables.putItem(table: "tasks", item: task("t1", assignee: "ann"))
        await expectError("ValidationException", containing: "outside query boundaries") {
            _ = try await tables.query(table: "tasks", QueryRequest(
                keyConditionExpression: "assigneeId = :a", indexName: "ByAssignee", expressionAttributeValues: [":a": "ann"],
                exclusiveStartKey: ["taskId": "t9", "assigneeId": "bob", "deadline": "2026-12-01"]))
        }
    }
}
