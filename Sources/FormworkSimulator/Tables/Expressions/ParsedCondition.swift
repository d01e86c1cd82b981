import FormworkRuntime
import Foundation

/// A parsed condition (`ConditionExpression` or `FilterExpression`), with its placeholders
/// resolved, ready to test items.
public struct ParsedCondition: Sendable {
    let root: ConditionNode

    /// Whether `item` meets the condition. An absent item is the empty item: every attribute is
    /// missing.
    ///
    /// As in DynamoDB, a comparison with a missing attribute is false (`<>` is true), and
    /// `<`, `<=`, `>`, `>=` and `BETWEEN` are false unless both sides are strings, numbers or
    /// binaries of the same type.
    public func evaluate(_ item: TableItem) throws(TableError) -> Bool {
        root.isMet(by: item)
    }
}

/// The comparison operators.
enum Comparator: String, Sendable {
    case equal = "="
    case notEqual = "<>"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}

/// An operand with placeholders resolved.
indirect enum OperandNode: Sendable {
    case path(DocumentPath)
    case value(AttributeValue)
    /// `size(operand)`.
    case size(OperandNode)

    /// The operand's value for `item`; nil when it refers to a missing attribute (or `size` of a
    /// value that has none).
    func value(in item: TableItem) -> AttributeValue? {
        switch self {
        case .path(let path):
            return path.value(in: item)
        case .value(let value):
            return value
        case .size(let operand):
            guard let value = operand.value(in: item) else { return nil }
            let size: Int
            switch value {
            // DynamoDB counts a string's UTF-16 code units.
            case .string(let text): size = text.utf16.count
            case .binary(let data): size = data.count
            case .stringSet(let members), .numberSet(let members): size = members.count
            case .binarySet(let members): size = members.count
            case .list(let values): size = values.count
            case .map(let members): size = members.count
            case .number, .bool, .null: return nil
            }
            return .number(String(size))
        }
    }

    /// The path, when the operand is one.
    var path: DocumentPath? {
        if case .path(let path) = self { return path }
        return nil
    }

    /// The type the operand is known to have before any item is read: a value's type, `N` for
    /// `size`; nil for a path.
    var staticType: String? {
        switch self {
        case .path: nil
        case .value(let value): value.typeName
        case .size: "N"
        }
    }
}

/// A condition with placeholders resolved.
indirect enum ConditionNode: Sendable {
    case and(ConditionNode, ConditionNode)
    case or(ConditionNode, ConditionNode)
    case not(ConditionNode)
    case compare(Comparator, OperandNode, OperandNode)
    case between(OperandNode, OperandNode, OperandNode)
    case inList(OperandNode, [OperandNode])
    case attributeExists(DocumentPath)
    case attributeNotExists(DocumentPath)
    case attributeType(DocumentPath, String)
    case beginsWith(OperandNode, OperandNode)
    case contains(OperandNode, OperandNode)
    /// Stands in for a part that failed to resolve (the expression is then rejected).
    case invalid

    func isMet(by item: TableItem) -> Bool {
        switch self {
        case .and(let left, let right):
            return left.isMet(by: item) && right.isMet(by: item)
        case .or(let left, let right):
            return left.isMet(by: item) || right.isMet(by: item)
        case .not(let inner):
            return !inner.isMet(by: item)
        case .compare(let comparator, let left, let right):
            return Self.compare(left.value(in: item), comparator, right.value(in: item))
        case .between(let operand, let lower, let upper):
            guard let value = operand.value(in: item), let low = lower.value(in: item), let high = upper.value(in: item),
                let fromLow = value.dynamoCompare(low), let fromHigh = value.dynamoCompare(high)
            else { return false }
            return fromLow >= 0 && fromHigh <= 0
        case .inList(let operand, let candidates):
            guard let value = operand.value(in: item) else { return false }
            return candidates.contains { candidate in candidate.value(in: item).map(value.dynamoEquals) ?? false }
        case .attributeExists(let path):
            return path.value(in: item) != nil
        case .attributeNotExists(let path):
            return path.value(in: item) == nil
        case .attributeType(let path, let type):
            return path.value(in: item)?.typeName == type
        case .beginsWith(let operand, let prefix):
            guard let value = operand.value(in: item), let prefix = prefix.value(in: item) else { return false }
            return Self.beginsWith(value, prefix)
        case .contains(let operand, let member):
            guard let value = operand.value(in: item), let member = member.value(in: item) else { return false }
            return Self.contains(value, member)
        case .invalid:
            return false
        }
    }

    static func compare(_ left: AttributeValue?, _ comparator: Comparator, _ right: AttributeValue?) -> Bool {
        guard let left, let right else { return comparator == .notEqual }
        switch comparator {
        case .equal: return left.dynamoEquals(right)
        case .notEqual: return !left.dynamoEquals(right)
        default: break
        }
        guard let order = left.dynamoCompare(right) else { return false }
        switch comparator {
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        default: return order >= 0
        }
    }

    /// `begins_with`: a string or binary prefix of the same type.
    static func beginsWith(_ value: AttributeValue, _ prefix: AttributeValue) -> Bool {
        switch (value, prefix) {
        case (.string(let text), .string(let start)): text.utf8.starts(with: start.utf8)
        case (.binary(let data), .binary(let start)): data.starts(with: start)
        default: false
        }
    }

    /// `contains`: a substring of a string, a member of a set, or an element of a list.
    static func contains(_ value: AttributeValue, _ member: AttributeValue) -> Bool {
        switch (value, member) {
        case (.string(let text), .string(let part)):
            return containsBytes(Array(text.utf8), Array(part.utf8))
        case (.binary(let data), .binary(let part)):
            return containsBytes(Array(data), Array(part))
        case (.stringSet(let members), .string(let text)):
            return members.contains(text)
        case (.numberSet(let members), .number):
            return members.contains { AttributeValue.number($0).dynamoEquals(member) }
        case (.binarySet(let members), .binary(let data)):
            return members.contains(data)
        case (.list(let values), _):
            return values.contains { $0.dynamoEquals(member) }
        default:
            return false
        }
    }

    private static func containsBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        if needle.count > haystack.count { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}

/// Resolution and checks of conditions.
extension ExpressionResolver {
    static let conditionFunctions: Set<String> = [
        "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size",
    ]
    static let updateFunctions: Set<String> = ["if_not_exists", "list_append"]
    static let attributeTypes: Set<String> = ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"]

    mutating func condition(_ raw: RawCondition) -> ConditionNode {
        switch raw {
        case .and(let left, let right):
            countOperator()
            return .and(condition(left), condition(right))
        case .or(let left, let right):
            countOperator()
            return .or(condition(left), condition(right))
        case .not(let inner):
            countOperator()
            return .not(condition(inner))
        case .group(let inner):
            if case .group = inner { note(.redundantParentheses, "The expression has redundant parentheses;") }
            return condition(inner)
        case .compare(let symbol, let left, let right):
            countOperator()
            let operands = [operand(left), operand(right)]
            checkDistinct(symbol, operands)
            return .compare(Comparator(rawValue: symbol) ?? .equal, operands[0], operands[1])
        case .between(let value, let lower, let upper):
            countOperator()
            let operands = [operand(value), operand(lower), operand(upper)]
            checkDistinct("BETWEEN", operands)
            checkBounds(operands[1], operands[2])
            return .between(operands[0], operands[1], operands[2])
        case .inList(let value, let list):
            countOperator()
            var operands = [operand(value)]
            for candidate in list { operands.append(operand(candidate)) }
            if list.count > Self.maximumInOperands {
                note(.operandCount, "The IN operator is provided with too many operands; number of operands: \(list.count)")
            }
            checkDistinct("IN", operands)
            return .inList(operands[0], Array(operands.dropFirst()))
        case .call(let name, let arguments):
            return function(name, arguments)
        }
    }

    /// An operand; functions other than `size` are not operands.
    mutating func operand(_ raw: RawOperand) -> OperandNode {
        switch raw {
        case .path(let path):
            return .path(resolve(path))
        case .value(let placeholder):
            return .value(resolveValue(placeholder))
        case .group(let inner):
            if case .group = inner { note(.redundantParentheses, "The expression has redundant parentheses;") }
            return operand(inner)
        case .arithmetic(let symbol, let left, let right):
            // The condition grammar has no arithmetic; kept total for safety.
            note(.unknownFunction, "Invalid function name; function: \(symbol)")
            _ = operand(left)
            _ = operand(right)
            return .value(.null)
        case .call(let name, let arguments):
            if name == "size" {
                countOperator()
                let operands = arguments.map { operand($0) }
                guard checkCount(name, operands, 1) else { return .value(.null) }
                if let type = operands[0].staticType, ["N", "BOOL", "NULL"].contains(type) {
                    note(.function, "Incorrect operand type for operator or function; operator or function: size, operand type: \(type)")
                }
                return .size(operands[0])
            }
            if Self.conditionFunctions.contains(name) {
                note(.misusedFunction, "The function is not allowed to be used this way in an expression; function: \(name)")
            }
            _ = function(name, arguments)
            return .value(.null)
        }
    }

    /// A function used where a condition is expected.
    private mutating func function(_ name: String, _ arguments: [RawOperand]) -> ConditionNode {
        guard Self.conditionFunctions.contains(name) else {
            if Self.updateFunctions.contains(name) {
                note(.unknownFunction, "The function is not allowed in a condition expression; function: \(name)")
            } else {
                note(.unknownFunction, "Invalid function name; function: \(name)")
            }
            for argument in arguments { _ = operand(argument) }
            return .invalid
        }
        if name == "size" {
            note(.misusedFunction, "The function is not allowed to be used this way in an expression; function: size")
            _ = operand(.call(name, arguments))
            return .invalid
        }
        countOperator()
        let operands = arguments.map { operand($0) }
        switch name {
        case "attribute_exists", "attribute_not_exists":
            guard checkCount(name, operands, 1) else { return .invalid }
            guard let path = operands[0].path else {
                note(.function, "Operator or function requires a document path; operator or function: \(name)")
                return .invalid
            }
            return name == "attribute_exists" ? .attributeExists(path) : .attributeNotExists(path)
        case "attribute_type":
            guard checkCount(name, operands, 2) else { return .invalid }
            checkDistinct(name, operands)
            guard case .value(let value) = operands[1], case .string(let type) = value else {
                let type = operands[1].staticType ?? "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"
                note(.function, "Incorrect operand type for operator or function; operator or function: \(name), operand type: \(type)")
                return .invalid
            }
            guard Self.attributeTypes.contains(type) else {
                note(.function, "Invalid attribute type name found; type: \(type), valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}")
                return .invalid
            }
            guard let path = operands[0].path else {
                note(.function, "Operator or function requires a document path; operator or function: \(name)")
                return .invalid
            }
            return .attributeType(path, type)
        case "begins_with":
            guard checkCount(name, operands, 2) else { return .invalid }
            checkDistinct(name, operands)
            for operand in operands {
                if let type = operand.staticType, type != "S", type != "B" {
                    note(.function, "Incorrect operand type for operator or function; operator or function: \(name), operand type: \(type)")
                }
            }
            return .beginsWith(operands[0], operands[1])
        default:
            guard checkCount(name, operands, 2) else { return .invalid }
            checkDistinct(name, operands)
            return .contains(operands[0], operands[1])
        }
    }

    private mutating func checkCount(_ name: String, _ operands: [OperandNode], _ expected: Int) -> Bool {
        guard operands.count == expected else {
            note(
                .operandCount,
                "Incorrect number of operands for operator or function; operator or function: \(name), number of operands: \(operands.count)")
            return false
        }
        return true
    }

    /// DynamoDB rejects `a = a`, `a BETWEEN a AND :x` and the like.
    private mutating func checkDistinct(_ name: String, _ operands: [OperandNode]) {
        guard let first = operands.first?.path else { return }
        for other in operands.dropFirst() where other.path == first {
            note(
                .distinctOperands,
                "The first operand must be distinct from the remaining operands for this operator or function; operator: \(name), first operand: \(first)"
            )
            return
        }
    }

    /// BETWEEN's bounds, when both are values, must have one type and be in order.
    private mutating func checkBounds(_ lower: OperandNode, _ upper: OperandNode) {
        guard case .value(let low) = lower, case .value(let high) = upper else { return }
        let bounds = "lower bound operand: \(ExpressionWording.describe(low)), upper bound operand: \(ExpressionWording.describe(high))"
        if low.typeName != high.typeName {
            note(.function, "The BETWEEN operator requires same data type for lower and upper bounds; \(bounds)")
        } else if let order = low.dynamoCompare(high), order > 0 {
            note(.function, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; \(bounds)")
        }
    }
}
