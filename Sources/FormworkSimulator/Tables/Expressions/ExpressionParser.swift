import FormworkRuntime

// The grammar of DynamoDB's expressions, parsed into unresolved trees: placeholders stay as
// written and nothing is checked beyond syntax. `ExpressionResolver` resolves and checks them.

/// One step of a path as written.
enum RawSegment: Sendable {
    /// A plain attribute name, such as `status`.
    case identifier(String)
    /// A `#name` placeholder.
    case placeholder(String)
    /// A list index, such as `[2]`.
    case index(Int)
}

/// A path as written: `a.#b[2]`.
struct RawPath: Sendable {
    var segments: [RawSegment]
}

/// An operand as written.
indirect enum RawOperand: Sendable {
    case path(RawPath)
    /// A `:value` placeholder.
    case value(String)
    /// A function call: `size(a)`, `if_not_exists(a, :v)`.
    case call(String, [RawOperand])
    /// An operand in parentheses.
    case group(RawOperand)
    /// `a + b` or `a - b` (update expressions only).
    case arithmetic(String, RawOperand, RawOperand)
}

/// A condition as written.
indirect enum RawCondition: Sendable {
    case and(RawCondition, RawCondition)
    case or(RawCondition, RawCondition)
    case not(RawCondition)
    /// A condition in parentheses.
    case group(RawCondition)
    /// `a <op> b` with one of `=`, `<>`, `<`, `<=`, `>`, `>=`.
    case compare(String, RawOperand, RawOperand)
    case between(RawOperand, RawOperand, RawOperand)
    case inList(RawOperand, [RawOperand])
    /// A function used as a condition: `attribute_exists(a)`.
    case call(String, [RawOperand])
}

/// One action of an update expression as written.
enum RawUpdateAction: Sendable {
    case set(RawPath, RawOperand)
    case remove(RawPath)
    case add(RawPath, String)
    case delete(RawPath, String)
}

/// An update expression as written, with the clauses it repeats (an error DynamoDB reports
/// after some others).
struct RawUpdate: Sendable {
    var actions: [RawUpdateAction]
    var repeatedClauses: [String]
}

/// A recursive-descent parser with backtracking. A failed rule returns nil and leaves the
/// furthest position any rule failed at, which is where the syntax error is reported.
struct ExpressionParser {
    let source: ExpressionSource
    /// Words that are part of the grammar and so cannot be attribute names or functions.
    let keywords: Set<String>
    private(set) var position = 0
    private var furthestFailure = 0
    /// How deeply the rules being parsed nest (parentheses, NOT, function calls).
    private var depth = 0

    /// The deepest nesting accepted, which keeps recursion shallow enough for any thread's stack.
    /// Nesting this deep takes well over a hundred operators or redundant parentheses, which no
    /// real expression has; deeper nesting is refused as a syntax error.
    static let maximumNesting = 128

    static let conditionKeywords: Set<String> = ["AND", "OR", "NOT", "BETWEEN", "IN"]
    static let updateKeywords: Set<String> = ["SET", "REMOVE", "ADD", "DELETE"]
    static let comparators: Set<String> = ["=", "<>", "<", "<=", ">", ">="]

    init(_ source: ExpressionSource, keywords: Set<String>) {
        self.source = source
        self.keywords = keywords
    }

    // MARK: Tokens

    private var current: ExpressionToken { token(at: position) }

    private func token(at index: Int) -> ExpressionToken {
        source.tokens[min(index, source.tokens.count - 1)]
    }

    private mutating func advance() {
        if position < source.tokens.count - 1 { position += 1 }
    }

    /// Records a failure at the current token; returns nil for the caller to return.
    private mutating func fail<T>() -> T? {
        furthestFailure = max(furthestFailure, position)
        return nil
    }

    /// Consumes the symbol, or records a failure.
    private mutating func take(_ symbol: String) -> Bool {
        guard current.isSymbol(symbol) else {
            furthestFailure = max(furthestFailure, position)
            return false
        }
        advance()
        return true
    }

    private func isKeyword(_ token: ExpressionToken) -> Bool {
        token.kind == .identifier && keywords.contains(token.text.uppercased())
    }

    /// Enters one more level of nesting; call `leave()` when done.
    private mutating func enter() throws(TableError) {
        depth += 1
        if depth > Self.maximumNesting {
            throw source.syntaxError(at: position)
        }
    }

    private mutating func leave() {
        depth -= 1
    }

    /// The syntax error for a failed parse.
    private func syntaxError() -> TableError {
        source.syntaxError(at: max(furthestFailure, position))
    }

    /// Fails unless every token was consumed.
    private mutating func expectEnd() throws(TableError) {
        guard current.kind == .end else {
            furthestFailure = max(furthestFailure, position)
            throw syntaxError()
        }
    }

    // MARK: Paths and operands

    /// `name ( '.' name | '[' digits ']' )*` where a name is a word or a `#placeholder`.
    mutating func parsePath() throws(TableError) -> RawPath? {
        guard let head = parsePathName() else { return nil }
        var segments = [head]
        while true {
            if current.isSymbol(".") {
                advance()
                guard let name = parsePathName() else { return nil }
                segments.append(name)
            } else if current.isSymbol("[") {
                advance()
                guard current.kind == .number else { return fail() }
                guard let index = Int(current.text), index <= Int(Int32.max) else {
                    throw source.invalid("List index is not within the allowable range; index: [\(current.text)]")
                }
                advance()
                guard take("]") else { return nil }
                segments.append(.index(index))
            } else {
                return RawPath(segments: segments)
            }
        }
    }

    private mutating func parsePathName() -> RawSegment? {
        let token = current
        if token.kind == .name {
            advance()
            return .placeholder(token.text)
        }
        if token.kind == .identifier && !isKeyword(token) {
            advance()
            return .identifier(token.text)
        }
        return fail()
    }

    /// `'(' operand ')'`, a function call, a `:value`, or a path.
    mutating func parseOperand() throws(TableError) -> RawOperand? {
        try enter()
        defer { leave() }
        let token = current
        if token.isSymbol("(") {
            let start = position
            advance()
            if let inner = try parseOperand(), take(")") {
                return .group(inner)
            }
            position = start
            return fail()
        }
        if token.kind == .value {
            advance()
            return .value(token.text)
        }
        if token.kind == .identifier && !isKeyword(token) && self.token(at: position + 1).isSymbol("(") {
            advance()
            advance()
            guard let arguments = try parseOperandList(), take(")") else { return nil }
            return .call(token.text, arguments)
        }
        return try parsePath().map(RawOperand.path)
    }

    /// `operand (',' operand)*`.
    private mutating func parseOperandList() throws(TableError) -> [RawOperand]? {
        guard let first = try parseOperand() else { return nil }
        var operands = [first]
        while current.isSymbol(",") {
            advance()
            guard let next = try parseOperand() else { return nil }
            operands.append(next)
        }
        return operands
    }

    // MARK: Conditions

    /// A whole condition expression (also filter and key condition expressions).
    mutating func parseWholeCondition() throws(TableError) -> RawCondition {
        guard let condition = try parseOr() else { throw syntaxError() }
        try expectEnd()
        return condition
    }

    /// `and (OR and)*`: OR binds loosest.
    private mutating func parseOr() throws(TableError) -> RawCondition? {
        guard var left = try parseAnd() else { return nil }
        while current.isKeyword("OR") {
            advance()
            guard let right = try parseAnd() else { return nil }
            left = .or(left, right)
        }
        return left
    }

    /// `not (AND not)*`.
    private mutating func parseAnd() throws(TableError) -> RawCondition? {
        guard var left = try parseNot() else { return nil }
        while current.isKeyword("AND") {
            advance()
            guard let right = try parseNot() else { return nil }
            left = .and(left, right)
        }
        return left
    }

    /// `NOT not | primary`: NOT binds tightest.
    private mutating func parseNot() throws(TableError) -> RawCondition? {
        try enter()
        defer { leave() }
        if current.isKeyword("NOT") {
            advance()
            return try parseNot().map(RawCondition.not)
        }
        return try parsePrimary()
    }

    /// `'(' or ')'` or a comparison. A parenthesised operand (`(a) = :v`) also starts with `(`,
    /// so a group followed by a comparator is re-read as a comparison.
    private mutating func parsePrimary() throws(TableError) -> RawCondition? {
        if current.isSymbol("(") {
            let start = position
            advance()
            if let inner = try parseOr(), take(")"), !startsComparison(current) {
                return .group(inner)
            }
            position = start
        }
        return try parseComparison()
    }

    private func startsComparison(_ token: ExpressionToken) -> Bool {
        (token.kind == .symbol && Self.comparators.contains(token.text)) || token.isKeyword("BETWEEN") || token.isKeyword("IN")
    }

    /// `operand comparator operand`, `operand BETWEEN operand AND operand`,
    /// `operand IN '(' operand (',' operand)* ')'`, or a function call on its own.
    private mutating func parseComparison() throws(TableError) -> RawCondition? {
        guard let left = try parseOperand() else { return nil }
        let token = current
        if token.kind == .symbol && Self.comparators.contains(token.text) {
            advance()
            guard let right = try parseOperand() else { return nil }
            return .compare(token.text, left, right)
        }
        if token.isKeyword("BETWEEN") {
            advance()
            guard let lower = try parseOperand() else { return nil }
            guard current.isKeyword("AND") else { return fail() }
            advance()
            guard let upper = try parseOperand() else { return nil }
            return .between(left, lower, upper)
        }
        if token.isKeyword("IN") {
            advance()
            guard take("("), let list = try parseOperandList(), take(")") else { return nil }
            return .inList(left, list)
        }
        if case .call(let name, let arguments) = left {
            return .call(name, arguments)
        }
        return fail()
    }

    // MARK: Updates

    /// A whole update expression: clauses `SET`, `REMOVE`, `ADD` and `DELETE` in any order.
    mutating func parseWholeUpdate() throws(TableError) -> RawUpdate {
        var update = RawUpdate(actions: [], repeatedClauses: [])
        var seen = Set<String>()
        repeat {
            let clause = current.text.uppercased()
            guard current.kind == .identifier, Self.updateKeywords.contains(clause) else {
                furthestFailure = max(furthestFailure, position)
                throw syntaxError()
            }
            advance()
            if !seen.insert(clause).inserted { update.repeatedClauses.append(clause) }
            while true {
                guard let action = try parseUpdateAction(clause) else { throw syntaxError() }
                update.actions.append(action)
                guard current.isSymbol(",") else { break }
                advance()
            }
        } while current.kind != .end
        return update
    }

    private mutating func parseUpdateAction(_ clause: String) throws(TableError) -> RawUpdateAction? {
        guard let path = try parsePath() else { return nil }
        switch clause {
        case "SET":
            guard take("="), let value = try parseSetValue() else { return nil }
            return .set(path, value)
        case "REMOVE":
            return .remove(path)
        default:
            guard current.kind == .value else { return fail() }
            let value = current.text
            advance()
            return clause == "ADD" ? .add(path, value) : .delete(path, value)
        }
    }

    /// `'(' term ')'` or a term, where a term is `operand (('+' | '-') operand)?`.
    private mutating func parseSetValue() throws(TableError) -> RawOperand? {
        if current.isSymbol("(") {
            let start = position
            advance()
            if let inner = try parseTerm(), take(")"), !current.isSymbol("+"), !current.isSymbol("-") {
                return .group(inner)
            }
            position = start
        }
        return try parseTerm()
    }

    private mutating func parseTerm() throws(TableError) -> RawOperand? {
        guard let left = try parseOperand() else { return nil }
        let token = current
        guard token.isSymbol("+") || token.isSymbol("-") else { return left }
        advance()
        guard let right = try parseOperand() else { return nil }
        return .arithmetic(token.text, left, right)
    }

    // MARK: Projections

    /// A whole projection expression: `path (',' path)*`.
    mutating func parseWholeProjection() throws(TableError) -> [RawPath] {
        var paths: [RawPath] = []
        while true {
            guard let path = try parsePath() else { throw syntaxError() }
            paths.append(path)
            guard current.isSymbol(",") else { break }
            advance()
        }
        try expectEnd()
        return paths
    }
}
