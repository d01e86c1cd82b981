import FormworkRuntime
import FormworkSimulator
import Foundation
import Testing

/// An update applied to an item, and the item it should give.
struct UpdateCase: Sendable, CustomTestStringConvertible {
    var text: String
    var values: [String: AttributeValue]
    var before: TableItem
    var after: TableItem

    init(_ text: String, values: [String: AttributeValue] = [:], _ before: TableItem, _ after: TableItem) {
        self.text = text
        self.values = values
        self.before = before
        self.after = after
    }

    var testDescription: String { text }
}

/// An update that fails on an item, and DynamoDB's message.
struct UpdateFailure: Sendable, CustomTestStringConvertible {
    var text: String
    var values: [String: AttributeValue]
    var item: TableItem
    var message: String

    init(_ text: String, values: [String: AttributeValue] = [:], _ item: TableItem, _ message: String) {
        self.text = text
        self.values = values
        self.item = item
        self.message = message
    }

    var testDescription: String { text }
}

@Suite("Update expressions")
struct UpdateExpressionTests {
    static func apply(_ text: String, values: [String: AttributeValue], names: [String: String] = [:], to item: TableItem) throws
        -> (item: TableItem, updated: Set<String>)
    {
        let attributes = ExpressionPlaceholders(names: names, values: values)
        let update = try Expressions.update(text, attributes)
        try attributes.checkAllUsed()
        return try update.apply(to: item)
    }

    @Test(
        "SET",
        arguments: [
            UpdateCase("SET a = :v", values: [":v": "x"], [:], ["a": "x"]),
            UpdateCase("SET a = :v", values: [":v": "x"], ["a": 1, "b": 2], ["a": "x", "b": 2]),
            UpdateCase("SET a = b", ["b": ["k": 1]], ["a": ["k": 1], "b": ["k": 1]]),
            UpdateCase("SET a = b, b = a", ["a": 1, "b": 2], ["a": 2, "b": 1]),  // values come from the item as it was
            UpdateCase("SET a = :v, b = :w", values: [":v": 1, ":w": .null], [:], ["a": 1, "b": .null]),
            UpdateCase("SET m.k = :v", values: [":v": 2], ["m": ["k": 1, "j": 0]], ["m": ["k": 2, "j": 0]]),
            UpdateCase("SET m.fresh = :v", values: [":v": 2], ["m": [:]], ["m": ["fresh": 2]]),
            UpdateCase("SET m.nested.deep = :v", values: [":v": 2], ["m": ["nested": ["deep": 1]]], ["m": ["nested": ["deep": 2]]]),
            UpdateCase("SET l[1] = :v", values: [":v": "B"], ["l": ["a", "b", "c"]], ["l": ["a", "B", "c"]]),
            UpdateCase("SET l[10] = :v", values: [":v": "d"], ["l": ["a", "b", "c"]], ["l": ["a", "b", "c", "d"]]),
            UpdateCase("SET l[3] = :v", values: [":v": "d"], ["l": ["a", "b", "c"]], ["l": ["a", "b", "c", "d"]]),
            UpdateCase("SET l[7] = :y, l[5] = :x", values: [":x": "x", ":y": "y"], ["l": ["a"]], ["l": ["a", "x", "y"]]),
            UpdateCase("SET l[0].k = :v", values: [":v": 1], ["l": [["k": 0]]], ["l": [["k": 1]]]),
            UpdateCase("SET m.l[1] = :v", values: [":v": 9], ["m": ["l": [1, 2]]], ["m": ["l": [1, 9]]]),
            UpdateCase("set a = :v", values: [":v": 1], [:], ["a": 1]),
            UpdateCase("SET a = (:v)", values: [":v": 1], [:], ["a": 1]),
        ])
    func set(_ update: UpdateCase) throws {
        #expect(try Self.apply(update.text, values: update.values, to: update.before).item == update.after)
    }

    @Test(
        "arithmetic is exact",
        arguments: [
            UpdateCase("SET n = n + :one", values: [":one": 1], ["n": 5], ["n": 6]),
            UpdateCase("SET n = n - :one", values: [":one": 1], ["n": 5], ["n": 4]),
            UpdateCase("SET n = :one - n", values: [":one": 1], ["n": 5], ["n": -4]),
            UpdateCase("SET n = :a + :b", values: [":a": .number("0.1"), ":b": .number("0.2")], [:], ["n": .number("0.3")]),
            UpdateCase("SET n = n + :b", values: [":b": .number("0.2")], ["n": .number("0.1")], ["n": .number("0.3")]),
            UpdateCase("SET n = n - :b", values: [":b": .number("0.3")], ["n": .number("0.1")], ["n": .number("-0.2")]),
            UpdateCase(
                "SET n = n + :one", values: [":one": 1], ["n": .number("99999999999999999999999999999999999998")],
                ["n": .number("99999999999999999999999999999999999999")]),
            UpdateCase(
                "SET n = n - :small", values: [":small": .number("0.00000000000000000000000000000000000001")], ["n": 1],
                ["n": .number("0.99999999999999999999999999999999999999")]),
            UpdateCase(
                "SET n = n - n2", ["n": .number("12345678901234567890.5"), "n2": .number("12345678901234567890.5")],
                ["n": 0, "n2": .number("12345678901234567890.5")]),
            UpdateCase("SET n = :e + :one", values: [":e": .number("1E2"), ":one": 1], [:], ["n": 101]),
            UpdateCase("SET n = :a + :b", values: [":a": .number("-5.5"), ":b": 2], [:], ["n": .number("-3.5")]),
            UpdateCase("SET n = (n + :one)", values: [":one": 1], ["n": 1], ["n": 2]),
            UpdateCase("SET n = (n) + (:one)", values: [":one": 1], ["n": 1], ["n": 2]),
        ])
    func arithmetic(_ update: UpdateCase) throws {
        #expect(try Self.apply(update.text, values: update.values, to: update.before).item == update.after)
    }

    @Test(
        "if_not_exists and list_append",
        arguments: [
            UpdateCase("SET c = if_not_exists(c, :zero) + :one", values: [":zero": 0, ":one": 1], [:], ["c": 1]),
            UpdateCase("SET c = if_not_exists(c, :zero) + :one", values: [":zero": 0, ":one": 1], ["c": 5], ["c": 6]),
            UpdateCase("SET a = if_not_exists(a, :v)", values: [":v": "fresh"], ["a": "old"], ["a": "old"]),
            UpdateCase("SET a = if_not_exists(b, :v)", values: [":v": "fresh"], ["b": "extra"], ["a": "extra", "b": "extra"]),
            UpdateCase("SET l = list_append(l, :more)", values: [":more": ["c"]], ["l": ["a", "b"]], ["l": ["a", "b", "c"]]),
            UpdateCase("SET l = list_append(:more, l)", values: [":more": ["c"]], ["l": ["a", "b"]], ["l": ["c", "a", "b"]]),
            UpdateCase(
                "SET l = list_append(if_not_exists(l, :empty), :more)", values: [":empty": [], ":more": [1, 2]], [:], ["l": [1, 2]]),
            UpdateCase("SET l = list_append(:x, :y)", values: [":x": [1], ":y": [["k": "v"]]], [:], ["l": [1, ["k": "v"]]]),
        ])
    func functions(_ update: UpdateCase) throws {
        #expect(try Self.apply(update.text, values: update.values, to: update.before).item == update.after)
    }

    @Test(
        "REMOVE",
        arguments: [
            UpdateCase("REMOVE a", ["a": 1, "b": 2], ["b": 2]),
            UpdateCase("REMOVE a, b", ["a": 1, "b": 2, "c": 3], ["c": 3]),
            UpdateCase("REMOVE absent", ["a": 1], ["a": 1]),
            UpdateCase("REMOVE m.k", ["m": ["k": 1, "j": 2]], ["m": ["j": 2]]),
            UpdateCase("REMOVE m.absent", ["m": ["k": 1]], ["m": ["k": 1]]),
            UpdateCase("REMOVE l[0]", ["l": ["a", "b", "c"]], ["l": ["b", "c"]]),
            UpdateCase("REMOVE l[0], l[1]", ["l": ["a", "b", "c"]], ["l": ["c"]]),  // indexes refer to the list as it was
            UpdateCase("REMOVE l[2], l[0]", ["l": ["a", "b", "c"]], ["l": ["b"]]),
            UpdateCase("REMOVE l[9]", ["l": ["a"]], ["l": ["a"]]),
            UpdateCase("REMOVE l[1].k", ["l": [["k": 1], ["k": 2, "j": 3]]], ["l": [["k": 1], ["j": 3]]]),
            UpdateCase("SET l[1] = :v REMOVE l[0]", values: [":v": "B"], ["l": ["a", "b", "c"]], ["l": ["B", "c"]]),
        ])
    func remove(_ update: UpdateCase) throws {
        #expect(try Self.apply(update.text, values: update.values, to: update.before).item == update.after)
    }

    @Test(
        "ADD and DELETE",
        arguments: [
            UpdateCase("ADD n :one", values: [":one": 1], ["n": 5], ["n": 6]),
            UpdateCase("ADD n :one", values: [":one": 1], [:], ["n": 1]),
            UpdateCase("ADD n :q", values: [":q": .number("0.25")], ["n": 5], ["n": .number("5.25")]),
            UpdateCase("ADD n :q", values: [":q": .number("-0.1")], ["n": .number("0.3")], ["n": .number("0.2")]),
            UpdateCase("ADD m.tally :one", values: [":one": 1], ["m": ["tally": 1]], ["m": ["tally": 2]]),
            UpdateCase("ADD tags :more", values: [":more": .stringSet(["b", "c"])], ["tags": .stringSet(["a", "b"])], ["tags": .stringSet(["a", "b", "c"])]),
            UpdateCase("ADD tags :more", values: [":more": .stringSet(["b"])], [:], ["tags": .stringSet(["b"])]),
            UpdateCase(
                "ADD nums :more", values: [":more": .numberSet(["1.0", "3"])], ["nums": .numberSet(["1", "2"])], ["nums": .numberSet(["1", "2", "3"])]),
            UpdateCase(
                "ADD bins :more", values: [":more": .binarySet([Data([2])])], ["bins": .binarySet([Data([1])])], ["bins": .binarySet([Data([1]), Data([2])])]),
            UpdateCase("DELETE tags :red", values: [":red": .stringSet(["red"])], ["tags": .stringSet(["red", "blue"])], ["tags": .stringSet(["blue"])]),
            UpdateCase("DELETE tags :all", values: [":all": .stringSet(["red", "blue", "green"])], ["tags": .stringSet(["red", "blue"]), "a": 1], ["a": 1]),
            UpdateCase("DELETE tags :red", values: [":red": .stringSet(["red"])], ["a": 1], ["a": 1]),
            UpdateCase("DELETE nums :one", values: [":one": .numberSet(["1.0"])], ["nums": .numberSet(["1", "2"])], ["nums": .numberSet(["2"])]),
            UpdateCase(
                "DELETE m.bins :b", values: [":b": .binarySet([Data([1])])], ["m": ["bins": .binarySet([Data([1]), Data([2])])]],
                ["m": ["bins": .binarySet([Data([2])])]]),
        ])
    func addAndDelete(_ update: UpdateCase) throws {
        #expect(try Self.apply(update.text, values: update.values, to: update.before).item == update.after)
    }

    @Test("clauses come in any order and any case, each once")
    func clauses() throws {
        let values: [String: AttributeValue] = [":v": "x", ":one": 1, ":red": .stringSet(["red"])]
        let before: TableItem = ["a": 1, "n": 1, "tags": .stringSet(["red", "blue"]), "keep": true]
        let after: TableItem = ["b": "x", "n": 2, "tags": .stringSet(["blue"]), "keep": true]
        for text in [
            "REMOVE a SET b = :v ADD n :one DELETE tags :red",
            "DELETE tags :red ADD n :one SET b = :v REMOVE a",
            "set b = :v remove a add n :one delete tags :red",
        ] {
            let result = try Self.apply(text, values: values, to: before)
            #expect(result.item == after)
            #expect(result.updated == ["a", "b", "n", "tags"])
        }
    }

    @Test("the attributes an update touches and changes")
    func touched() throws {
        let attributes = ExpressionPlaceholders(names: ["#s": "status"], values: [":s": "done", ":one": 1])
        let update = try Expressions.update("SET #s = :s, meta.tally = :one REMOVE l[0] ADD version :one", attributes)
        #expect(update.touchedAttributes == ["status", "meta", "l", "version"])
        let result = try update.apply(to: ["meta": [:], "l": [1, 2]])
        #expect(result.updated == ["status", "meta", "l", "version"])
        #expect(result.item == ["status": "done", "meta": ["tally": 1], "l": [2], "version": 1])
    }

    @Test(
        "errors while applying",
        arguments: [
            UpdateFailure("SET a = absent", [:], "The provided expression refers to an attribute that does not exist in the item"),
            UpdateFailure("SET a = absent + :one", values: [":one": 1], [:], "The provided expression refers to an attribute that does not exist in the item"),
            UpdateFailure(
                "SET a = list_append(l, :more)", values: [":more": ["x"]], [:], "The provided expression refers to an attribute that does not exist in the item"
            ),
            UpdateFailure("SET a = s + :one", values: [":one": 1], ["s": "text"], "An operand in the update expression has an incorrect data type"),
            UpdateFailure("SET a = :one - s", values: [":one": 1], ["s": "text"], "An operand in the update expression has an incorrect data type"),
            UpdateFailure(
                "SET l = list_append(s, :more)", values: [":more": ["x"]], ["s": "text"], "An operand in the update expression has an incorrect data type"),
            UpdateFailure("SET nomap.a = :one", values: [":one": 1], [:], "The document path provided in the update expression is invalid for update"),
            UpdateFailure("SET s.a = :one", values: [":one": 1], ["s": "text"], "The document path provided in the update expression is invalid for update"),
            UpdateFailure("SET m[0] = :one", values: [":one": 1], ["m": ["k": 1]], "The document path provided in the update expression is invalid for update"),
            UpdateFailure("SET l.a = :one", values: [":one": 1], ["l": [1]], "The document path provided in the update expression is invalid for update"),
            UpdateFailure("SET l[5].a = :one", values: [":one": 1], ["l": [1]], "The document path provided in the update expression is invalid for update"),
            UpdateFailure("REMOVE nomap.a", [:], "The document path provided in the update expression is invalid for update"),
            UpdateFailure("ADD s :one", values: [":one": 1], ["s": "text"], "An operand in the update expression has an incorrect data type"),
            UpdateFailure(
                "ADD tags :nums", values: [":nums": .numberSet(["1"])], ["tags": .stringSet(["a"])],
                "An operand in the update expression has an incorrect data type"),
            UpdateFailure("DELETE n :tags", values: [":tags": .stringSet(["a"])], ["n": 1], "An operand in the update expression has an incorrect data type"),
            UpdateFailure(
                "SET n = n + :max", values: [":max": .number("9.9999999999999999999999999999999999999E+125")],
                ["n": .number("9.9999999999999999999999999999999999999E+125")],
                "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        ])
    func applyErrors(_ failure: UpdateFailure) {
        #expect(
            ExpressionFixture.validationMessage { () throws(TableError) in
                _ = try Expressions.update(failure.text, ExpressionPlaceholders(values: failure.values)).apply(to: failure.item)
            } == failure.message)
    }
}
