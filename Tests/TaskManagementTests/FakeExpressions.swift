import Foundation
import FormworkRuntime

/// The subset of DynamoDB's expression language the task-management stores use, evaluated
/// the way DynamoDB does. Anything else is rejected, so a store that starts using more of
/// the language fails its tests until this fake learns it.
///
/// - conditions and filters: clauses joined by `AND`, each `attribute_exists(#a)`,
///   `attribute_not_exists(#a)` or `#a op :v` with `op` one of `=`, `<>`, `<`, `<=`, `>`, `>=`;
/// - updates: `SET #a = :v, …` and `REMOVE #a, …`;
/// - key conditions: `#pk = :v`, optionally `AND #sk op :v`.
enum FakeExpressions {
    /// DynamoDB rejects placeholders that no expression uses, and expressions that use
    /// placeholders nobody defined.
    static func checkPlaceholders(
        _ expressions: [String], names: [String: String], values: [String: AttributeValue]
    ) throws {
        let text = expressions.joined(separator: " ")
        let used = Set(tokens(text).filter { $0.hasPrefix("#") || $0.hasPrefix(":") })
        for placeholder in names.keys where !used.contains(placeholder) {
            throw TableError.validation("Value provided in ExpressionAttributeNames unused in expressions: \(placeholder)")
        }
        for placeholder in values.keys where !used.contains(placeholder) {
            throw TableError.validation("Value provided in ExpressionAttributeValues unused in expressions: \(placeholder)")
        }
        for placeholder in used {
            if placeholder.hasPrefix("#"), names[placeholder] == nil {
                throw TableError.validation("An expression attribute name used in the document path is not defined: \(placeholder)")
            }
            if placeholder.hasPrefix(":"), values[placeholder] == nil {
                throw TableError.validation("An expression attribute value used in expression is not defined: \(placeholder)")
            }
        }
    }

    /// Whether `item` (`nil` when there is none) meets the condition.
    static func holds(
        _ expression: String, on item: TableItem?, names: [String: String], values: [String: AttributeValue]
    ) throws -> Bool {
        for clause in expression.components(separatedBy: " AND ") {
            let clause = clause.trimmingCharacters(in: .whitespaces)
            if let argument = call(clause, "attribute_exists") {
                guard item?[try name(argument, names)] != nil else { return false }
            } else if let argument = call(clause, "attribute_not_exists") {
                guard item?[try name(argument, names)] == nil else { return false }
            } else {
                let parts = clause.split(separator: " ").map(String.init)
                guard parts.count == 3 else { throw unsupported(clause) }
                let left = try operand(parts[0], item: item, names: names, values: values)
                let right = try operand(parts[2], item: item, names: names, values: values)
                guard try compare(left, parts[1], right) else { return false }
            }
        }
        return true
    }

    /// Applies `SET` and `REMOVE` clauses to `item`.
    static func apply(_ update: UpdateExpression, to item: inout TableItem) throws {
        var sections: [String: [String]] = [:]
        var current: String?
        for word in update.expression.split(separator: " ").map(String.init) {
            if ["SET", "REMOVE", "ADD", "DELETE"].contains(word) {
                guard word == "SET" || word == "REMOVE" else { throw unsupported(update.expression) }
                current = word
            } else if let current {
                sections[current, default: []].append(word)
            } else {
                throw unsupported(update.expression)
            }
        }
        for assignment in (sections["SET"] ?? []).joined(separator: " ").split(separator: ",") {
            let sides = assignment.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
            guard sides.count == 2, sides[1].hasPrefix(":"), let value = update.values[sides[1]] else {
                throw unsupported(String(assignment))
            }
            item[try name(sides[0], update.names)] = value
        }
        for removal in (sections["REMOVE"] ?? []).joined(separator: " ").split(separator: ",") {
            item[try name(removal.trimmingCharacters(in: .whitespaces), update.names)] = nil
        }
    }

    /// The key condition of a query: the partition value, and the sort key clause if any.
    static func keyCondition(
        _ request: QueryRequest, partitionKey: String, sortKey: String?
    ) throws -> (partition: AttributeValue, sort: (op: String, value: AttributeValue)?) {
        let clauses = request.keyConditionExpression.components(separatedBy: " AND ")
        var partition: AttributeValue?
        var sort: (String, AttributeValue)?
        for clause in clauses {
            let parts = clause.trimmingCharacters(in: .whitespaces).split(separator: " ").map(String.init)
            guard parts.count == 3, let value = request.expressionAttributeValues[parts[2]] else {
                throw unsupported(clause)
            }
            let attribute = try name(parts[0], request.expressionAttributeNames)
            if attribute == partitionKey, parts[1] == "=" {
                partition = value
            } else if attribute == sortKey, ["=", "<", "<=", ">", ">="].contains(parts[1]) {
                sort = (parts[1], value)
            } else {
                throw TableError.validation("Query key condition not supported: \(clause)")
            }
        }
        guard let partition else { throw TableError.validation("Query condition missed key schema element: \(partitionKey)") }
        return (partition, sort)
    }

    /// Compares two values the way a condition does; a missing side makes it false.
    static func compare(_ left: AttributeValue?, _ op: String, _ right: AttributeValue?) throws -> Bool {
        guard let left, let right else { return op == "<>" && (left != nil || right != nil) }
        switch op {
        case "=": return left == right
        case "<>": return left != right
        case "<", "<=", ">", ">=":
            guard let order = order(left, right) else { return false }
            switch op {
            case "<": return order < 0
            case "<=": return order <= 0
            case ">": return order > 0
            default: return order >= 0
            }
        default:
            throw unsupported(op)
        }
    }

    /// -1, 0 or 1 for two strings or two numbers; `nil` for anything else.
    static func order(_ left: AttributeValue, _ right: AttributeValue) -> Int? {
        switch (left, right) {
        case (.string(let a), .string(let b)):
            return a == b ? 0 : (a < b ? -1 : 1)
        case (.number(let a), .number(let b)):
            guard let x = Double(a), let y = Double(b) else { return nil }
            return x == y ? 0 : (x < y ? -1 : 1)
        default:
            return nil
        }
    }

    private static func operand(
        _ token: String, item: TableItem?, names: [String: String], values: [String: AttributeValue]
    ) throws -> AttributeValue? {
        if token.hasPrefix(":") {
            guard let value = values[token] else { throw TableError.validation("Undefined value \(token)") }
            return value
        }
        return item?[try name(token, names)]
    }

    private static func name(_ token: String, _ names: [String: String]) throws -> String {
        guard token.hasPrefix("#") else { return token }
        guard let name = names[token] else { throw TableError.validation("Undefined name \(token)") }
        return name
    }

    private static func call(_ clause: String, _ function: String) -> String? {
        guard clause.hasPrefix(function + "("), clause.hasSuffix(")") else { return nil }
        return String(clause.dropFirst(function.count + 1).dropLast())
    }

    private static func tokens(_ text: String) -> [String] {
        text.components(separatedBy: CharacterSet(charactersIn: " ,()=<>")).filter { !$0.isEmpty }
    }

    private static func unsupported(_ text: String) -> TableError {
        .validation("The in-memory table does not support: \(text)")
    }
}
