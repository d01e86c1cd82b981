import FormworkRuntime
import FormworkSimulator
import Foundation
import Testing

/// Which parser an error case goes through.
enum ParsedKind: String, Sendable {
    case condition, filter, key, update, projection
}

/// An expression DynamoDB rejects, and its exact message.
struct RejectedExpression: Sendable, CustomTestStringConvertible {
    var kind: ParsedKind
    var text: String
    var names: [String: String] = [:]
    var values: [String: AttributeValue] = [:]
    var message: String

    init(_ kind: ParsedKind, _ text: String, names: [String: String] = [:], values: [String: AttributeValue] = [:], _ message: String) {
        self.kind = kind
        self.text = text
        self.names = names
        self.values = values
        self.message = message
    }

    var testDescription: String { "\(kind.rawValue): \(text.count > 60 ? String(text.prefix(60)) + "…" : text)" }

    /// Parses the expression; the thrown validation message, or nil when it parses.
    func parse() -> String? {
        let attributes = ExpressionPlaceholders(names: names, values: values)
        return ExpressionFixture.validationMessage { () throws(TableError) in
            switch kind {
            case .condition: _ = try Expressions.condition(text, attributes)
            case .filter: _ = try Expressions.condition(text, attributes, kind: "FilterExpression")
            case .key: _ = try Expressions.keyCondition(text, attributes, partitionKey: "pk", sortKey: "sk")
            case .update: _ = try Expressions.update(text, attributes)
            case .projection: _ = try Expressions.projection(text, attributes)
            }
        }
    }
}

@Suite("Expressions: parsing and validation")
struct ExpressionParsingTests {
    static let v: [String: AttributeValue] = [":v": "x", ":w": true]

    @Test(
        "syntax errors name the token and the text near it",
        arguments: [
            RejectedExpression(.condition, "foo", #"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "foo""#),
            RejectedExpression(.update, "ADD hits : incr", values: [":incr": 1], #"Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr""#),
            RejectedExpression(.update, "INVALID SYNTAX HERE", #"Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX""#),
            RejectedExpression(.update, "SET path = VALUE 1", #"Invalid UpdateExpression: Syntax error; token: "1", near: "VALUE 1""#),
            RejectedExpression(.update, "DELETE setx a", #"Invalid UpdateExpression: Syntax error; token: "a", near: "setx a""#),
            RejectedExpression(
                .key, "hashId = :hashId a", values: [":hashId": "x"], #"Invalid KeyConditionExpression: Syntax error; token: "a", near: ":hashId a""#),
            RejectedExpression(.condition, "a = 5", #"Invalid ConditionExpression: Syntax error; token: "5", near: "= 5""#),
            RejectedExpression(.condition, "my-attr = :v", values: v, #"Invalid ConditionExpression: Syntax error; token: "-", near: "my-attr""#),
            RejectedExpression(.condition, "a == :v", values: v, #"Invalid ConditionExpression: Syntax error; token: "=", near: "== :v""#),
            RejectedExpression(.condition, "a <=> :v", values: v, #"Invalid ConditionExpression: Syntax error; token: ">", near: "<=> :v""#),
            RejectedExpression(.condition, "a = :v AND", values: v, #"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND""#),
            RejectedExpression(.condition, "a = :v AND OR b = :v", values: v, #"Invalid ConditionExpression: Syntax error; token: "OR", near: "AND OR b""#),
            RejectedExpression(.condition, "a = :v b = :v", values: v, #"Invalid ConditionExpression: Syntax error; token: "b", near: ":v b =""#),
            RejectedExpression(.condition, "a = :v)", values: v, #"Invalid ConditionExpression: Syntax error; token: ")", near: ":v)""#),
            RejectedExpression(.condition, "(a = :v", values: v, #"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":v""#),
            RejectedExpression(.condition, "a IN ()", #"Invalid ConditionExpression: Syntax error; token: ")", near: "()""#),
            RejectedExpression(.condition, "a BETWEEN :v", values: v, #"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":v""#),
            RejectedExpression(.condition, "contains(a, :v", values: v, #"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ":v""#),
            RejectedExpression(.condition, "attribute_exists a", #"Invalid ConditionExpression: Syntax error; token: "a", near: "attribute_exists a""#),
            RejectedExpression(.condition, "NOT", #"Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "NOT""#),
            RejectedExpression(.condition, "a[x] = :v", values: v, #"Invalid ConditionExpression: Syntax error; token: "x", near: "[x]""#),
            RejectedExpression(.condition, "a = :v AND # = :v", values: v, ##"Invalid ConditionExpression: Syntax error; token: "#", near: "AND # =""##),
            RejectedExpression(.filter, "a = :v AND", values: v, #"Invalid FilterExpression: Syntax error; token: "<EOF>", near: "AND""#),
            RejectedExpression(.update, "SET a = :v,", values: v, #"Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ",""#),
            RejectedExpression(.update, "SET", #"Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET""#),
            RejectedExpression(.update, "SET a = :v REMOVE", values: v, #"Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "REMOVE""#),
            RejectedExpression(.update, "SET a = :v +", values: v, #"Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "+""#),
            RejectedExpression(.update, "SET a + :v = :w", values: v, #"Invalid UpdateExpression: Syntax error; token: "+", near: "a + :v""#),
            RejectedExpression(.update, "ADD a b", #"Invalid UpdateExpression: Syntax error; token: "b", near: "a b""#),
            RejectedExpression(.update, "SET add = :v", values: v, #"Invalid UpdateExpression: Syntax error; token: "add", near: "SET add =""#),
            RejectedExpression(.projection, "a, :v", values: v, #"Invalid ProjectionExpression: Syntax error; token: ":v", near: ", :v""#),
            RejectedExpression(.projection, "(a1)", #"Invalid ProjectionExpression: Syntax error; token: "(", near: "(a1""#),
            RejectedExpression(.projection, "a,", #"Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ",""#),
        ])
    func syntaxErrors(_ rejected: RejectedExpression) {
        #expect(rejected.parse() == rejected.message)
    }

    @Test(
        "empty expressions",
        arguments: [
            RejectedExpression(.condition, "", "Invalid ConditionExpression: The expression can not be empty;"),
            RejectedExpression(.filter, " ", "Invalid FilterExpression: The expression can not be empty;"),
            RejectedExpression(.key, "", "Invalid KeyConditionExpression: The expression can not be empty;"),
            RejectedExpression(.update, "  \n", "Invalid UpdateExpression: The expression can not be empty;"),
            RejectedExpression(.projection, "", "Invalid ProjectionExpression: The expression can not be empty;"),
        ])
    func empty(_ rejected: RejectedExpression) {
        #expect(rejected.parse() == rejected.message)
    }

    @Test("an expression may be up to 4 KB")
    func size() {
        let padding = String(repeating: " ", count: 4096 - 6)
        let largest = RejectedExpression(.filter, "a = :v" + padding, values: [":v": 1], "")
        #expect(largest.parse() == nil)
        let tooLarge = RejectedExpression(.filter, "a = :v " + padding, values: [":v": 1], "")
        #expect(tooLarge.parse() == "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097")
    }

    @Test(
        "reserved words need placeholders",
        arguments: [
            RejectedExpression(
                .condition, "status = :v", values: v, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
            RejectedExpression(.filter, "a.Name = :v", values: v, "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: Name"),
            RejectedExpression(
                .condition, "begins_with(TTL, :v)", values: v, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: TTL"),
            RejectedExpression(
                .condition, "attribute_exists(info.COMMENT)", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: COMMENT"),
            RejectedExpression(.condition, "size = :v", values: v, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: size"),
            RejectedExpression(.condition, "set = :v", values: v, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: set"),
            RejectedExpression(
                .update, "SET a = :v, Data = :w", values: v, "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Data"),
            RejectedExpression(.update, "REMOVE a.b[1].zone", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: zone"),
            RejectedExpression(
                .update, "SET a = if_not_exists(count, :v)", values: v,
                "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: count"),
            RejectedExpression(.update, "SET and = :v", values: v, "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: and"),
            RejectedExpression(.projection, "a, Year", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: Year"),
            RejectedExpression(
                .key, "pk = :v AND Date > :w", values: v, "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: Date"),
            // The published list's own spellings, first and last entries.
            RejectedExpression(.projection, "abort", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: abort"),
            RejectedExpression(.projection, "flattern", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: flattern"),
            RejectedExpression(.projection, "innter", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: innter"),
            RejectedExpression(.projection, "loged", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: loged"),
            RejectedExpression(.projection, "Zone", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: Zone"),
        ])
    func reservedWords(_ rejected: RejectedExpression) {
        #expect(rejected.parse() == rejected.message)
    }

    @Test(
        "ordinary attribute names, and reserved words behind placeholders, are accepted",
        arguments: ["pk", "taskId, title, assigneeId, deadline", "#s, #n.#y", "sizes, statuses, datum"])
    func unreservedNames(_ text: String) throws {
        let attributes = ExpressionPlaceholders(names: ["#s": "status", "#n": "name", "#y": "year"])
        _ = try Expressions.projection(text, attributes)
    }

    @Test(
        "placeholders must be defined",
        arguments: [
            RejectedExpression(
                .condition, "a = :nope", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope"),
            RejectedExpression(
                .update, "SET a = :nope", "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :nope"),
            RejectedExpression(
                .update, "ADD a :nope", "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :nope"),
            RejectedExpression(
                .filter, "#x = :v", values: v,
                "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #x"),
            RejectedExpression(
                .projection, "a, b.#x",
                "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"),
            RejectedExpression(
                .key, "#pk = :v", values: v,
                "Invalid KeyConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #pk"),
            RejectedExpression(
                .update, "SET a = :nope, #x = :v", values: v,
                "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #x"),
            RejectedExpression(
                .condition, "#x = :nope",
                "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"),
        ])
    func undefinedPlaceholders(_ rejected: RejectedExpression) {
        #expect(rejected.parse() == rejected.message)
    }

    @Test(
        "functions",
        arguments: [
            RejectedExpression(.condition, "foo(a)", "Invalid ConditionExpression: Invalid function name; function: foo"),
            RejectedExpression(
                .condition, "a = if_not_exists(b, :v)", values: v,
                "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists"),
            RejectedExpression(
                .filter, "list_append(a, :v)", values: v,
                "Invalid FilterExpression: The function is not allowed in a condition expression; function: list_append"),
            RejectedExpression(.update, "SET a = size(b)", "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"),
            RejectedExpression(
                .update, "SET a = attribute_exists(b)",
                "Invalid UpdateExpression: The function is not allowed in an update expression; function: attribute_exists"),
            RejectedExpression(.update, "SET a = foo(b)", "Invalid UpdateExpression: Invalid function name; function: foo"),
            RejectedExpression(
                .condition, "attribute_exists(a, b)",
                "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"
            ),
            RejectedExpression(
                .condition, "begins_with(a)",
                "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1"),
            RejectedExpression(
                .condition, "size(a, b) > :v", values: v,
                "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"),
            RejectedExpression(
                .update, "SET a = list_append(:l)", values: [":l": []],
                "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"),
            RejectedExpression(
                .update, "SET a = if_not_exists(a, :v, :w)", values: v,
                "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 3"),
            RejectedExpression(
                .condition, "attribute_exists(:v)", values: v,
                "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"),
            RejectedExpression(
                .condition, "attribute_not_exists(size(a))",
                "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_not_exists"),
            RejectedExpression(
                .update, "SET a = if_not_exists(:v, :w)", values: v,
                "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"),
            RejectedExpression(
                .condition, "begins_with(a, :v) = :w", values: v,
                "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: begins_with"),
            RejectedExpression(
                .condition, "size(a)", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"),
            RejectedExpression(
                .condition, "a = :v AND size(a)", values: v,
                "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"),
            RejectedExpression(
                .condition, "contains(attribute_exists(a), :v)", values: v,
                "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"),
            RejectedExpression(
                .condition, "attribute_type(a, :n)", values: [":n": 1],
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"),
            RejectedExpression(
                .condition, "attribute_type(a, :t)", values: [":t": "STRING"],
                "Invalid ConditionExpression: Invalid attribute type name found; type: STRING, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"),
            RejectedExpression(
                .condition, "begins_with(a, :n)", values: [":n": 1],
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
            RejectedExpression(
                .condition, "begins_with(a, :l)", values: [":l": ["x"]],
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: L"),
            RejectedExpression(
                .condition, "size(:n) > :n", values: [":n": 1],
                "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"),
            RejectedExpression(
                .update, "SET a = :s + :one", values: [":s": "x", ":one": 1],
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"),
            RejectedExpression(
                .update, "SET a = a - :l", values: [":l": ["x"]],
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: L"),
            RejectedExpression(
                .update, "SET a = list_append(a, :s)", values: [":s": "x"],
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S"),
        ])
    func functions(_ rejected: RejectedExpression) {
        #expect(rejected.parse() == rejected.message)
    }

    @Test(
        "operands, parentheses and limits",
        arguments: [
            RejectedExpression(.condition, "((a = :v))", values: v, "Invalid ConditionExpression: The expression has redundant parentheses;"),
            RejectedExpression(.condition, "((a)) = :v", values: v, "Invalid ConditionExpression: The expression has redundant parentheses;"),
            RejectedExpression(.condition, "NOT ((a = :v))", values: v, "Invalid ConditionExpression: The expression has redundant parentheses;"),
            RejectedExpression(.condition, "((a = :nope))", "Invalid ConditionExpression: The expression has redundant parentheses;"),
            RejectedExpression(
                .condition, "a = a",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"
            ),
            RejectedExpression(
                .condition, "#a < a", names: ["#a": "a"],
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: <, first operand: [a]"
            ),
            RejectedExpression(
                .condition, "a.b BETWEEN :v AND a.b", values: v,
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: BETWEEN, first operand: [a, b]"
            ),
            RejectedExpression(
                .condition, "contains(l[0], l[0])",
                "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [l, [0]]"
            ),
            RejectedExpression(
                .condition, "a BETWEEN :five AND :one", values: [":five": 5, ":one": 1],
                "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"
            ),
            RejectedExpression(
                .condition, "a BETWEEN :z AND :a", values: [":z": "z", ":a": "a"],
                "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:z}, upper bound operand: AttributeValue: {S:a}"
            ),
            RejectedExpression(
                .filter, "a BETWEEN :one AND :s", values: [":one": 1, ":s": "x"],
                "Invalid FilterExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}"
            ),
            RejectedExpression(
                .condition, "a" + String(repeating: ".b", count: 32) + " = :v", values: v,
                "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33"),
            RejectedExpression(
                .condition, "a[99999999999] = :v", values: v, "Invalid ConditionExpression: List index is not within the allowable range; index: [99999999999]"),
            // Precedence between mistakes: reserved words before undefined placeholders, unknown functions before both.
            RejectedExpression(.condition, "status = :nope", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
            RejectedExpression(.update, "SET status = :nope", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"),
            RejectedExpression(.condition, "foo(status)", "Invalid ConditionExpression: Invalid function name; function: foo"),
        ])
    func operands(_ rejected: RejectedExpression) {
        #expect(rejected.parse() == rejected.message)
    }

    @Test("IN takes up to 100 operands")
    func inOperands() {
        func check(_ count: Int) -> String? {
            let placeholders = (0..<count).map { ":v\($0)" }
            let values = Dictionary(uniqueKeysWithValues: placeholders.map { ($0, AttributeValue.integer(1)) })
            return RejectedExpression(.condition, "a IN (\(placeholders.joined(separator: ", ")))", values: values, "").parse()
        }
        #expect(check(100) == nil)
        #expect(check(101) == "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101")
    }

    @Test("an expression has at most 300 operators")
    func operatorCount() {
        func check(_ comparisons: Int) -> String? {
            let text = Array(repeating: "a = :v", count: comparisons).joined(separator: " OR ")
            return RejectedExpression(.condition, text, values: [":v": 1], "").parse()
        }
        #expect(check(150) == nil)  // 150 comparisons and 149 ORs
        #expect(check(151) == "Invalid ConditionExpression: The expression contains too many operators; operator count: 301")
    }

    @Test("a document path has at most 32 levels")
    func pathDepth() {
        let path = "a" + String(repeating: ".b", count: 31)
        #expect(RejectedExpression(.projection, path, "").parse() == nil)
    }

    @Test("deeply nested expressions are refused without exhausting the stack")
    func deepNesting() {
        let depth = 2000
        let text = String(repeating: "(", count: depth) + "a = :v" + String(repeating: ")", count: depth)
        let message = RejectedExpression(.condition, text, values: [":v": 1], "").parse()
        #expect(message?.hasPrefix("Invalid ConditionExpression: ") == true)
        let negations = String(repeating: "NOT ", count: 900) + "a = :v"
        #expect(RejectedExpression(.filter, negations, values: [":v": 1], "").parse()?.hasPrefix("Invalid FilterExpression: ") == true)
    }

    @Test(
        "update clauses and paths",
        arguments: [
            RejectedExpression(
                .update, "SET a = :v SET b = :w", values: v, #"Invalid UpdateExpression: The "SET" section can only be used once in an update expression;"#),
            RejectedExpression(
                .update, "REMOVE a ADD n :one remove b", values: [":one": 1],
                #"Invalid UpdateExpression: The "REMOVE" section can only be used once in an update expression;"#),
            RejectedExpression(
                .update, "SET a = :v, a.b = :w", values: v,
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
            ),
            RejectedExpression(
                .update, "SET a.b = :v REMOVE a", values: v,
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]"
            ),
            RejectedExpression(
                .update, "SET a = :v REMOVE a", values: v,
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"),
            RejectedExpression(
                .update, "SET #a = :v REMOVE a", names: ["#a": "a"], values: v,
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"),
            RejectedExpression(
                .update, "SET l[0] = :v REMOVE l[0].x", values: v,
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [l, [0]], path two: [l, [0], x]"
            ),
            RejectedExpression(
                .update, "ADD n :one, n :one", values: [":one": 1],
                "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [n], path two: [n]"),
            RejectedExpression(
                .update, "SET a.b = :v, a[0] = :w", values: v,
                "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]"
            ),
            RejectedExpression(
                .update, "ADD a :s", values: [":s": "x"],
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"
            ),
            RejectedExpression(
                .update, "ADD a :l", values: [":l": ["x"]],
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"
            ),
            RejectedExpression(
                .update, "ADD a :m", values: [":m": ["k": "x"]],
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND"),
            RejectedExpression(
                .update, "ADD a :t", values: [":t": true],
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN, typeSet: ALLOWED_FOR_ADD_OPERAND"
            ),
            RejectedExpression(
                .update, "DELETE a :n", values: [":n": 1],
                "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_ADD_OPERAND"
            ),
            RejectedExpression(
                .projection, "a, a.b",
                "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
            ),
            RejectedExpression(
                .projection, "a, a",
                "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"
            ),
            RejectedExpression(
                .projection, "#n, n", names: ["#n": "n"],
                "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [n], path two: [n]"
            ),
            RejectedExpression(
                .projection, "a.b, a[0]",
                "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]"
            ),
        ])
    func updatePaths(_ rejected: RejectedExpression) {
        #expect(rejected.parse() == rejected.message)
    }

    @Test("paths that share a parent do not overlap", arguments: ["SET a.b = :v, a.c = :w", "SET l[0] = :v, l[1] = :w REMOVE l[2]", "SET a = :v, ab = :w"])
    func disjointPaths(_ text: String) throws {
        _ = try Expressions.update(text, ExpressionPlaceholders(values: Self.v))
    }

    @Test("unused placeholders are rejected once every expression is parsed")
    func unusedPlaceholders() throws {
        let attributes = ExpressionPlaceholders(names: ["#s": "status", "#unused": "x"], values: [":s": "done", ":b": 1, ":a": 2])
        _ = try Expressions.condition("#s = :s", attributes)
        #expect(
            ExpressionFixture.validationMessage { () throws(TableError) in try attributes.checkAllUsed() }
                == "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}")

        let values = ExpressionPlaceholders(values: [":s": "done", ":b": 1, ":a": 2])
        _ = try Expressions.update("SET a = :s", values)
        #expect(
            ExpressionFixture.validationMessage { () throws(TableError) in try values.checkAllUsed() }
                == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :b}")
    }

    @Test("placeholders are shared by the expressions of one request")
    func sharedPlaceholders() throws {
        let attributes = ExpressionPlaceholders(
            names: ["#v": "version", "#t": "title"], values: [":expected": 3, ":one": 1, ":t": "x"])
        _ = try Expressions.condition("#v = :expected", attributes)
        _ = try Expressions.update("SET #t = :t ADD #v :one", attributes)
        try attributes.checkAllUsed()

        let projected = ExpressionPlaceholders(names: ["#t": "title"])
        _ = try Expressions.projection("#t", projected)
        try projected.checkAllUsed()
    }

    @Test("placeholders convert from the client-side form")
    func fromClientForm() throws {
        let attributes = ExpressionPlaceholders(FormworkRuntime.ExpressionAttributes(names: ["#s": "status"], values: [":s": "done"]))
        #expect(try Expressions.condition("#s = :s", attributes).evaluate(["status": "done"]))
        try attributes.checkAllUsed()
    }
}
