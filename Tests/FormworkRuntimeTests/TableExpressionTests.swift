import FormworkRuntime
import Testing

@Suite("Table expressions")
struct TableExpressionTests {
    @Test("placeholders of an update and its condition merge")
    func merge() throws {
        let update = UpdateExpression("SET #s = :s ADD #v :one", names: ["#s": "status", "#v": "version"], values: [":s": "done", ":one": 1])
        let condition = ConditionExpression("#v = :expected", names: ["#v": "version"], values: [":expected": 3])
        var attributes = update.attributes
        try attributes.merge(condition.attributes)
        #expect(attributes.names == ["#s": "status", "#v": "version"])
        #expect(attributes.values == [":s": "done", ":one": 1, ":expected": 3])
    }

    @Test("a placeholder bound twice differently is a validation error")
    func conflicts() throws {
        var attributes = ExpressionAttributes(names: ["#a": "status"], values: [":v": 1])
        #expect(throws: TableError.self) { try attributes.merge(ExpressionAttributes(names: ["#a": "title"])) }
        #expect(throws: TableError.self) { try attributes.merge(ExpressionAttributes(values: [":v": 2])) }
        try attributes.merge(ExpressionAttributes(names: ["#a": "status"], values: [":v": 1]))
        #expect(attributes == ExpressionAttributes(names: ["#a": "status"], values: [":v": 1]))
    }

    @Test("existence conditions name their attribute through a placeholder")
    func existence() {
        let absent = ConditionExpression.attributeNotExists("taskId")
        #expect(absent.expression == "attribute_not_exists(#cond_attr)")
        #expect(absent.names == ["#cond_attr": "taskId"])
        #expect(ConditionExpression.attributeExists("taskId").expression == "attribute_exists(#cond_attr)")
    }

    @Test("transaction actions report their table")
    func transactTable() {
        let items: [TransactWriteItem] = [
            .put(table: "Tasks", item: ["taskId": "t-1"]),
            .update(table: "Users", key: ["userId": "u-1"], update: UpdateExpression("SET #n = :n")),
            .delete(table: "Notifications", key: ["notificationId": "n-1"]),
            .conditionCheck(table: "Locks", key: ["id": "l"], condition: .attributeExists("id")),
        ]
        #expect(items.map(\.table) == ["Tasks", "Users", "Notifications", "Locks"])
    }

    @Test("wire names of ReturnValues and Select")
    func enumNames() {
        #expect(ReturnValues.allNew.rawValue == "ALL_NEW")
        #expect(ReturnValues.none.rawValue == "NONE")
        #expect(Select.count.rawValue == "COUNT")
        #expect(Select.allProjectedAttributes.rawValue == "ALL_PROJECTED_ATTRIBUTES")
    }
}
