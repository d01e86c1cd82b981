import FormworkRuntime
import Foundation

/// The kinds of mistakes a syntactically valid expression can have. When an expression has
/// several, DynamoDB reports one by a fixed precedence that depends on the kind of expression;
/// each resolver keeps the first mistake of each kind and reports by that precedence.
enum ExpressionFault: Hashable {
    case redundantParentheses
    case unknownFunction
    case misusedFunction
    case reservedWord
    case undefinedName
    case undefinedValue
    case repeatedClause
    case pathOverlap
    case pathConflict
    case operandCount
    case distinctOperands
    case operandType
    case function
    case operatorCount

    /// Precedence in condition, filter and key condition expressions.
    static let conditionOrder: [ExpressionFault] = [
        .redundantParentheses, .unknownFunction, .misusedFunction, .reservedWord, .undefinedName, .operandCount,
        .distinctOperands, .function, .operatorCount,
    ]

    /// Precedence in update expressions.
    static let updateOrder: [ExpressionFault] = [
        .reservedWord, .unknownFunction, .repeatedClause, .undefinedName, .undefinedValue, .pathOverlap, .pathConflict,
        .operandType, .operandCount, .function, .operatorCount,
    ]

    /// Precedence in projection expressions.
    static let projectionOrder: [ExpressionFault] = [.reservedWord, .undefinedName, .pathOverlap, .pathConflict]
}

/// Resolves placeholders in parsed expressions and checks them as DynamoDB does, collecting
/// mistakes instead of stopping at the first so the right one can be reported.
struct ExpressionResolver {
    let source: ExpressionSource
    let attributes: ExpressionAttributes
    /// Whether an undefined value counts as the same kind of mistake as an undefined name (it does
    /// in conditions, not in updates).
    let undefinedValuesAreUndefinedNames: Bool
    private var faults: [ExpressionFault: String] = [:]
    private var operators = 0
    /// DynamoDB's limit on operators and functions in one expression.
    static let maximumOperators = 300
    /// DynamoDB's limit on the operands of `IN`.
    static let maximumInOperands = 100

    init(_ source: ExpressionSource, _ attributes: ExpressionAttributes, undefinedValuesAreUndefinedNames: Bool) {
        self.source = source
        self.attributes = attributes
        self.undefinedValuesAreUndefinedNames = undefinedValuesAreUndefinedNames
    }

    /// Notes a mistake unless one of its kind is already noted.
    mutating func note(_ fault: ExpressionFault, _ message: String) {
        if faults[fault] == nil { faults[fault] = message }
    }

    /// Counts one operator or function.
    mutating func countOperator() {
        operators += 1
        if operators > Self.maximumOperators {
            faults[.operatorCount] = "The expression contains too many operators; operator count: \(operators)"
        }
    }

    /// Throws the mistake DynamoDB would report first, if there is any.
    func throwFirstFault(_ order: [ExpressionFault]) throws(TableError) {
        for fault in order {
            if let message = faults[fault] { throw source.invalid(message) }
        }
    }

    /// Resolves `#name` placeholders and checks reserved words and depth.
    mutating func resolve(_ path: RawPath) -> DocumentPath {
        var elements: [DocumentPath.Element] = []
        for segment in path.segments {
            switch segment {
            case .identifier(let name):
                if ReservedWords.contains(name) {
                    note(.reservedWord, "Attribute name is a reserved keyword; reserved keyword: \(name)")
                }
                elements.append(.name(name))
            case .placeholder(let placeholder):
                if let name = attributes.name(for: placeholder) {
                    elements.append(.name(name))
                } else {
                    note(
                        .undefinedName,
                        "An expression attribute name used in the document path is not defined; attribute name: \(placeholder)")
                    elements.append(.name(placeholder))
                }
            case .index(let index):
                elements.append(.index(index))
            }
        }
        if elements.count > DocumentPath.maximumDepth {
            note(.undefinedName, "The document path has too many nesting levels; nesting levels: \(elements.count)")
        }
        return DocumentPath(elements: elements)
    }

    /// Resolves a `:value` placeholder (NULL stands in for an undefined one, which is noted).
    mutating func resolveValue(_ placeholder: String) -> AttributeValue {
        if let value = attributes.value(for: placeholder) { return value }
        note(
            undefinedValuesAreUndefinedNames ? .undefinedName : .undefinedValue,
            "An expression attribute value used in expression is not defined; attribute value: \(placeholder)")
        return .null
    }

    /// Notes the first overlap or conflict of `path` with the earlier `paths`, then adds it.
    mutating func checkOverlap(_ path: DocumentPath, with paths: inout [DocumentPath]) {
        for earlier in paths {
            switch earlier.relation(to: path) {
            case .disjoint:
                continue
            case .overlap:
                note(
                    .pathOverlap,
                    "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: \(earlier), path two: \(path)")
            case .conflict:
                note(
                    .pathConflict,
                    "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: \(earlier), path two: \(path)")
            }
            break
        }
        paths.append(path)
    }
}

/// Wording DynamoDB uses for values and types in its messages.
enum ExpressionWording {
    /// The type names of ADD and DELETE messages: `STRING`, `NUMBER_SET`, ….
    static func longTypeName(_ value: AttributeValue) -> String {
        switch value {
        case .string: "STRING"
        case .number: "NUMBER"
        case .binary: "BINARY"
        case .bool: "BOOLEAN"
        case .null: "NULL"
        case .map: "MAP"
        case .list: "LIST"
        case .stringSet: "STRING_SET"
        case .numberSet: "NUMBER_SET"
        case .binarySet: "BINARY_SET"
        }
    }

    /// A value as BETWEEN messages show it: `AttributeValue: {N:5}`.
    static func describe(_ value: AttributeValue) -> String {
        "AttributeValue: {\(value.typeName):\(text(of: value))}"
    }

    private static func text(of value: AttributeValue) -> String {
        switch value {
        case .string(let text), .number(let text): text
        case .binary(let data): data.base64EncodedString()
        case .bool(let flag): String(flag)
        case .null: "true"
        case .stringSet(let members), .numberSet(let members): "[" + members.joined(separator: ", ") + "]"
        case .binarySet(let members): "[" + members.map { $0.base64EncodedString() }.joined(separator: ", ") + "]"
        case .list(let values): "[" + values.map(describe).joined(separator: ", ") + "]"
        case .map(let members):
            "{" + members.keys.sorted().map { key in "\(key)=\(members[key].map(describe) ?? "")" }.joined(separator: ", ") + "}"
        }
    }
}
