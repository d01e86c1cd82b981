import FormworkRuntime
import FormworkSimulator
import Foundation
import Testing

@Suite("Key condition expressions")
struct KeyConditionTests {
    static let values: [String: AttributeValue] = [
        ":p": "p1", ":s": "m", ":a": "a", ":z": "z", ":n": 5, ":bin": .binary(Data([1])), ":map": ["k": "v"], ":flag": true, ":S": "S",
    ]
    static let names: [String: String] = ["#pk": "pk", "#sk": "sk"]

    static func parse(_ text: String, sortKey: String? = "sk") throws(TableError) -> KeyCondition {
        try Expressions.keyCondition(text, ExpressionPlaceholders(names: names, values: values), partitionKey: "pk", sortKey: sortKey)
    }

    @Test(
        "the partition key and an optional sort key condition",
        arguments: [
            ("pk = :p", KeyCondition(partitionValue: "p1")),
            (":p = pk", KeyCondition(partitionValue: "p1")),
            ("pk = :p AND sk = :s", KeyCondition(partitionValue: "p1", sortCondition: .equal("m"))),
            ("pk = :p AND sk < :s", KeyCondition(partitionValue: "p1", sortCondition: .less("m"))),
            ("pk = :p AND sk <= :s", KeyCondition(partitionValue: "p1", sortCondition: .lessOrEqual("m"))),
            ("pk = :p AND sk > :s", KeyCondition(partitionValue: "p1", sortCondition: .greater("m"))),
            ("pk = :p AND sk >= :s", KeyCondition(partitionValue: "p1", sortCondition: .greaterOrEqual("m"))),
            ("pk = :p AND :s < sk", KeyCondition(partitionValue: "p1", sortCondition: .greater("m"))),
            ("pk = :p AND :s >= sk", KeyCondition(partitionValue: "p1", sortCondition: .lessOrEqual("m"))),
            ("pk = :p AND sk BETWEEN :a AND :z", KeyCondition(partitionValue: "p1", sortCondition: .between("a", "z"))),
            ("pk = :p AND begins_with(sk, :s)", KeyCondition(partitionValue: "p1", sortCondition: .beginsWith("m"))),
            ("sk = :n AND pk = :p", KeyCondition(partitionValue: "p1", sortCondition: .equal(5))),
            ("#pk = :p and #sk = :bin", KeyCondition(partitionValue: "p1", sortCondition: .equal(.binary(Data([1]))))),
            ("(pk = :p) AND (sk > :s)", KeyCondition(partitionValue: "p1", sortCondition: .greater("m"))),
        ])
    func accepted(text: String, expected: KeyCondition) throws {
        #expect(try Self.parse(text) == expected)
    }

    @Test(
        "what a key condition cannot say",
        arguments: [
            ("pk = :p OR sk = :s", "Invalid operator used in KeyConditionExpression: OR"),
            ("NOT pk = :p", "Invalid operator used in KeyConditionExpression: NOT"),
            ("pk IN (:p, :s)", "Invalid operator used in KeyConditionExpression: IN"),
            ("pk <> :p", "Invalid operator used in KeyConditionExpression: <>"),
            ("pk = :p AND attribute_exists(sk)", "Invalid operator used in KeyConditionExpression: attribute_exists"),
            ("pk = :p AND attribute_not_exists(sk)", "Invalid operator used in KeyConditionExpression: attribute_not_exists"),
            ("pk = :p AND attribute_type(sk, :S)", "Invalid operator used in KeyConditionExpression: attribute_type"),
            ("pk = :p AND contains(sk, :s)", "Invalid operator used in KeyConditionExpression: contains"),
            ("pk = :p AND size(sk) > :n", "KeyConditionExpressions cannot contain nested operations"),
            ("pk.a = :p", "KeyConditionExpressions cannot have conditions on nested attributes"),
            ("pk = :p AND sk[0] = :s", "KeyConditionExpressions cannot have conditions on nested attributes"),
            ("pk = sk", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
            (":p = :s", "Invalid condition in KeyConditionExpression: No key attribute specified"),
            (
                "pk = :p AND :a BETWEEN sk AND :z",
                "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"
            ),
            (
                "pk = :p AND begins_with(:s, sk)",
                "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"
            ),
            ("pk = :p AND pk = :s", "KeyConditionExpressions must only contain one condition per key"),
            ("sk = :s", "Query condition missed key schema element: pk"),
            ("extra = :s", "Query condition missed key schema element: pk"),
            ("pk = :p AND extra = :s", "Query condition missed key schema element: sk"),
            ("pk = :p AND sk = :s AND extra = :a", "Query key condition not supported"),
            ("pk < :p", "Query key condition not supported"),
            ("pk BETWEEN :a AND :z", "Query key condition not supported"),
            ("begins_with(pk, :p)", "Query key condition not supported"),
            ("pk = :map", "One or more parameter values were invalid: Condition parameter type does not match schema type"),
            ("pk = :p AND sk = :flag", "One or more parameter values were invalid: Condition parameter type does not match schema type"),
            (
                "pk = :p AND begins_with(sk, :n)",
                "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"
            ),
            (
                "pk = :p AND sk BETWEEN :z AND :a",
                "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:z}, upper bound operand: AttributeValue: {S:a}"
            ),
            ("pk = :p AND status = :s", "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
            ("pk = :nope", "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope"),
            ("pk = :p AND", #"Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "AND""#),
        ])
    func rejected(text: String, message: String) {
        #expect(ExpressionFixture.validationMessage { () throws(TableError) in _ = try Self.parse(text) } == message)
    }

    @Test("a table without a sort key takes only the partition key")
    func partitionOnly() throws {
        #expect(try Self.parse("pk = :p", sortKey: nil) == KeyCondition(partitionValue: "p1"))
        #expect(
            ExpressionFixture.validationMessage { () throws(TableError) in _ = try Self.parse("pk = :p AND sk = :s", sortKey: nil) }
                == "Query key condition not supported")
    }

    @Test(
        "sort conditions match sort key values",
        arguments: [
            (KeyCondition.SortCondition.equal(5), AttributeValue.number("5.0"), true),
            (.equal("m"), "m", true),
            (.equal("m"), "n", false),
            (.less(10), 9, true),
            (.less(10), 10, false),
            (.lessOrEqual(10), 10, true),
            (.greater("b"), "ba", true),
            (.greaterOrEqual("b"), "a", false),
            (.between("a", "c"), "b", true),
            (.between("a", "c"), "c", true),
            (.between("a", "c"), "d", false),
            (.between(1, 10), .number("1E1"), true),
            (.beginsWith("ab"), "abc", true),
            (.beginsWith("ab"), "ba", false),
            (.beginsWith(.binary(Data([1]))), .binary(Data([1, 2])), true),
            (.less(10), "9", false),  // another type never matches
        ])
    func matches(condition: KeyCondition.SortCondition, value: AttributeValue, expected: Bool) {
        #expect(condition.matches(value) == expected)
        #expect(!condition.matches(nil))
    }
}
