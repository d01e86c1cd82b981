import FormworkRuntime

/// One token of an expression's text.
struct ExpressionToken: Sendable {
    enum Kind: Sendable, Equatable {
        /// A word: a letter or `_`, then letters, digits and `_` (`status`, `attribute_exists`).
        case identifier
        /// `#` and a word: an `ExpressionAttributeNames` placeholder.
        case name
        /// `:` and a word: an `ExpressionAttributeValues` placeholder.
        case value
        /// Decimal digits (list indexes).
        case number
        /// `=`, `<>`, `<`, `<=`, `>`, `>=`, `(`, `)`, `[`, `]`, `,`, `.`, `+`, `-`.
        case symbol
        /// Any other character, or a lone `#` or `:`.
        case other
        /// The end of the text.
        case end
    }

    let kind: Kind
    let text: String
    /// Offsets of the token's first and past-the-last unicode scalars in the text.
    let start: Int
    let end: Int

    /// Whether this is the symbol `text`.
    func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }

    /// Whether this is the keyword `keyword` (upper-case), in any case.
    func isKeyword(_ keyword: String) -> Bool { kind == .identifier && text.uppercased() == keyword }
}

/// An expression's text, split into tokens, with the kind of expression it is (for messages).
struct ExpressionSource: Sendable {
    /// DynamoDB's limit on an expression's size, in UTF-8 bytes.
    static let maximumSize = 4096

    /// `ConditionExpression`, `FilterExpression`, `KeyConditionExpression`, `UpdateExpression`
    /// or `ProjectionExpression`.
    let kind: String
    let scalars: [Unicode.Scalar]
    /// The tokens, always ending with one `.end` token.
    let tokens: [ExpressionToken]

    /// Splits `text` into tokens.
    ///
    /// - Throws: DynamoDB's errors for an empty or oversized expression.
    init(_ text: String, kind: String) throws(TableError) {
        self.kind = kind
        if text.unicodeScalars.allSatisfy(Self.isWhitespace) {
            throw .validation("Invalid \(kind): The expression can not be empty;")
        }
        let size = text.utf8.count
        if size > Self.maximumSize {
            throw .validation("Invalid \(kind): Expression size has exceeded the maximum allowed size; expression size: \(size)")
        }
        scalars = Array(text.unicodeScalars)
        tokens = Self.tokenize(scalars)
    }

    /// A validation error about this expression: `Invalid <kind>: <message>`.
    func invalid(_ message: String) -> TableError {
        .validation("Invalid \(kind): \(message)")
    }

    /// DynamoDB's syntax error at token `index`: the token, and the text from the token before
    /// it to the token after it.
    func syntaxError(at index: Int) -> TableError {
        let last = tokens.count - 1
        let index = min(max(index, 0), last)
        let token = tokens[index]
        let tokenText = token.kind == .end ? "<EOF>" : token.text
        let nearStart = index > 0 ? tokens[index - 1].start : token.start
        var nearEnd: Int
        if token.kind == .end {
            nearEnd = index > 0 ? tokens[index - 1].end : token.start
        } else if index + 1 < last {
            nearEnd = tokens[index + 1].end
        } else {
            nearEnd = token.end
        }
        nearEnd = max(nearEnd, nearStart)
        return invalid("Syntax error; token: \"\(tokenText)\", near: \"\(text(from: nearStart, to: nearEnd))\"")
    }

    /// The text between two scalar offsets.
    func text(from start: Int, to end: Int) -> String {
        let lower = min(max(0, start), scalars.count)
        let upper = min(max(end, lower), scalars.count)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[lower..<upper])
        return String(view)
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    private static func isWordStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private static func isWordPart(_ scalar: Unicode.Scalar) -> Bool {
        isWordStart(scalar) || isDigit(scalar)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar)
    }

    private static func tokenize(_ scalars: [Unicode.Scalar]) -> [ExpressionToken] {
        var tokens: [ExpressionToken] = []
        var index = 0
        func text(_ start: Int, _ end: Int) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[start..<end])
            return String(view)
        }
        func scan(from start: Int, while accepted: (Unicode.Scalar) -> Bool) -> Int {
            var end = start
            while end < scalars.count && accepted(scalars[end]) { end += 1 }
            return end
        }
        while index < scalars.count {
            let scalar = scalars[index]
            let start = index
            var kind = ExpressionToken.Kind.symbol
            if isWhitespace(scalar) {
                index += 1
                continue
            } else if isWordStart(scalar) {
                kind = .identifier
                index = scan(from: index + 1, while: isWordPart)
            } else if isDigit(scalar) {
                kind = .number
                index = scan(from: index + 1, while: isDigit)
            } else if scalar == "#" || scalar == ":" {
                index = scan(from: index + 1, while: isWordPart)
                kind = index == start + 1 ? .other : (scalar == "#" ? .name : .value)
            } else if scalar == "<" {
                let next = index + 1 < scalars.count ? scalars[index + 1] : " "
                index += next == "=" || next == ">" ? 2 : 1
            } else if scalar == ">" {
                let next = index + 1 < scalars.count ? scalars[index + 1] : " "
                index += next == "=" ? 2 : 1
            } else if "=()[],.+-".unicodeScalars.contains(scalar) {
                index += 1
            } else {
                kind = .other
                index += 1
            }
            tokens.append(ExpressionToken(kind: kind, text: text(start, index), start: start, end: index))
        }
        tokens.append(ExpressionToken(kind: .end, text: "", start: scalars.count, end: scalars.count))
        return tokens
    }
}
