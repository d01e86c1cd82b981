// The rules for what the text of a plain (unquoted) scalar reads as.
//
// The parser resolves plain scalars with the YAML 1.2 core schema. The emitter must
// also protect strings from readers that still apply YAML 1.1 rules (timestamps,
// `yes`/`no`/`on`/`off`, octal `0755`, sexagesimal `1:30`, `1_000`, ...), so it only
// writes a string plain when neither rule set would turn it into something else.
// Both sides use the tables in this file.

/// What the text of a plain scalar resolves to.
enum PlainScalarMeaning: Equatable, Sendable {
    case null
    case bool(Bool)
    case number
    case string
}

/// How the emitter writes one scalar.
enum ScalarPresentation: Equatable, Sendable {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
}

enum ScalarResolution {
    // MARK: - Tables

    /// Plain texts that are null in the YAML 1.2 core schema (and in YAML 1.1).
    static let nullWords: Set<String> = ["", "~", "null", "Null", "NULL"]
    /// Plain texts that are `true` in the YAML 1.2 core schema.
    static let trueWords: Set<String> = ["true", "True", "TRUE"]
    /// Plain texts that are `false` in the YAML 1.2 core schema.
    static let falseWords: Set<String> = ["false", "False", "FALSE"]
    /// Plain texts that only YAML 1.1 reads as something other than a string:
    /// its extra booleans, the merge key and the value key.
    static let yaml11OnlyWords: Set<String> = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "on", "On", "ON", "off", "Off", "OFF",
        "<<", "=",
    ]
    /// Special float spellings shared by YAML 1.1 and the 1.2 core schema.
    static let infinityWords: Set<String> = [".inf", ".Inf", ".INF"]
    static let notANumberWords: Set<String> = [".nan", ".NaN", ".NAN"]

    /// Characters that may not start a plain scalar (or that change its meaning there).
    static let leadingIndicators: Set<Unicode.Scalar> = [
        "-", "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">",
        "'", "\"", "%", "@", "`",
    ]

    // MARK: - Resolution

    /// What `text`, written as a plain scalar, reads as under the YAML 1.2 core schema.
    static func coreMeaning(of text: String) -> PlainScalarMeaning {
        if nullWords.contains(text) { return .null }
        if trueWords.contains(text) { return .bool(true) }
        if falseWords.contains(text) { return .bool(false) }
        if isCoreNumber(text) { return .number }
        return .string
    }

    /// Whether `text` is an int or float of the YAML 1.2 core schema.
    static func isCoreNumber(_ text: String) -> Bool {
        if infinityWords.contains(text) || notANumberWords.contains(text) { return true }
        var bytes = Array(text.utf8)[...]
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            bytes = bytes.dropFirst()
            if infinityWords.contains(String(decoding: bytes, as: UTF8.self)) { return true }
        } else if bytes.count > 2, bytes.first == UInt8(ascii: "0") {
            // 0o17 and 0x1F carry no sign in the core schema.
            let marker = bytes[bytes.index(after: bytes.startIndex)]
            let digits = bytes.dropFirst(2)
            if marker == UInt8(ascii: "o") { return digits.allSatisfy(isOctalDigit) }
            if marker == UInt8(ascii: "x") { return digits.allSatisfy(isHexDigit) }
        }
        // [0-9]+ | [0-9]+ . [0-9]* | . [0-9]+, then an optional exponent.
        let integerDigits = bytes.prefix(while: isDecimalDigit)
        bytes = bytes.dropFirst(integerDigits.count)
        var fractionDigits = 0
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            let fraction = bytes.prefix(while: isDecimalDigit)
            fractionDigits = fraction.count
            bytes = bytes.dropFirst(fraction.count)
            if integerDigits.isEmpty && fractionDigits == 0 { return false }
        } else if integerDigits.isEmpty {
            return false
        }
        if bytes.isEmpty { return true }
        guard bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") else { return false }
        bytes = bytes.dropFirst()
        if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") {
            bytes = bytes.dropFirst()
        }
        return !bytes.isEmpty && bytes.allSatisfy(isDecimalDigit)
    }

    /// Whether a YAML 1.1 reader could resolve the plain `text` to something other than
    /// a string. Deliberately generous: a false positive only costs a pair of quotes.
    static func hasYAML11NonStringMeaning(_ text: String) -> Bool {
        if yaml11OnlyWords.contains(text) || nullWords.contains(text)
            || trueWords.contains(text) || falseWords.contains(text)
        {
            return true
        }
        if notANumberWords.contains(text) { return true }
        let bytes = Array(text.utf8)
        if looksLikeTimestamp(bytes) { return true }
        var body = bytes[...]
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            body = body.dropFirst()
        }
        if infinityWords.contains(String(decoding: body, as: UTF8.self)) { return true }
        guard let first = body.first else { return false }
        // 0b1010, 0x_1F (underscores allowed in YAML 1.1).
        if first == UInt8(ascii: "0"), body.count > 2 {
            let marker = body[body.index(after: body.startIndex)]
            let digits = body.dropFirst(2)
            if marker == UInt8(ascii: "b") {
                return digits.allSatisfy { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") || $0 == UInt8(ascii: "_") }
            }
            if marker == UInt8(ascii: "x") {
                return digits.allSatisfy { isHexDigit($0) || $0 == UInt8(ascii: "_") }
            }
        }
        // Sexagesimal: 190:20:30 or 1:30.5
        if isDecimalDigit(first), body.contains(UInt8(ascii: ":")) {
            return isSexagesimal(body)
        }
        // Decimal, octal and float forms: [0-9_]* (. [0-9_]*)? ([eE][-+]?[0-9]+)?
        var rest = body
        let mantissa = rest.prefix { isDecimalDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
        rest = rest.dropFirst(mantissa.count)
        let dots = mantissa.filter { $0 == UInt8(ascii: ".") }.count
        let hasDigit = mantissa.contains(where: isDecimalDigit)
        guard dots <= 1, hasDigit || dots == 1 else { return false }
        if rest.isEmpty { return true }
        guard rest.first == UInt8(ascii: "e") || rest.first == UInt8(ascii: "E") else { return false }
        rest = rest.dropFirst()
        if rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: "-") {
            rest = rest.dropFirst()
        }
        return !rest.isEmpty && rest.allSatisfy(isDecimalDigit)
    }

    /// Whether `text`, written plain, reads back as this same string under both YAML 1.1
    /// and the YAML 1.2 core schema (ignoring syntax; see `canBePlain`).
    static func readsAsString(_ text: String) -> Bool {
        coreMeaning(of: text) == .string && !hasYAML11NonStringMeaning(text)
    }

    // MARK: - Presentation

    /// Chooses how to write `text`. Mapping keys pass `allowsBlock: false`.
    static func presentation(for text: String, allowsBlock: Bool) -> ScalarPresentation {
        var hasLineBreak = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                hasLineBreak = true
            } else if !isPrintable(scalar) {
                return .doubleQuoted
            }
        }
        if hasLineBreak {
            return allowsBlock && literalCanHold(text) ? .literal : .doubleQuoted
        }
        if canBePlain(text) && readsAsString(text) { return .plain }
        return .singleQuoted
    }

    /// Characters that a plain, single-quoted or literal scalar can carry as they are
    /// (line breaks excluded). Everything else needs a double-quoted escape.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E: return true
        case 0xA0...0xD7FF: return scalar.value != 0x2028 && scalar.value != 0x2029
        case 0xE000...0xFFFD: return scalar.value != 0xFEFF
        case 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// Whether a single-line, printable `text` is syntactically safe as a plain scalar
    /// in block context.
    static func canBePlain(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return false }
        if leadingIndicators.contains(first) || first == " " || last == " " || last == ":" {
            return false
        }
        if text.hasPrefix("...") { return false }
        var previous: Unicode.Scalar?
        for scalar in scalars {
            if previous == ":" && scalar == " " { return false }
            if previous == " " && scalar == "#" { return false }
            previous = scalar
        }
        return true
    }

    /// Whether a literal block scalar (`|`, `|-`, `|+`) reads back as exactly `text`.
    /// It cannot when the first line starts with a space or is empty (that would need an
    /// indentation indicator) or when a line ends in spaces.
    static func literalCanHold(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first != " ", first != "\n" else { return false }
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            if scalar == "\n" && previous == " " { return false }
            previous = scalar
        }
        return previous != " "
    }

    // MARK: - Character classes

    static func isDecimalDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isOctalDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "7")
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDecimalDigit(byte)
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    /// YAML 1.1 timestamps start with `YYYY-M-D` (one or two digit month and day).
    /// Anything with that prefix is treated as a possible timestamp.
    private static func looksLikeTimestamp(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digits(max: Int) -> Int {
            var count = 0
            while index < bytes.count, count < max, isDecimalDigit(bytes[index]) {
                index += 1
                count += 1
            }
            return count
        }
        func dash() -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "-") else { return false }
            index += 1
            return true
        }
        guard digits(max: 4) == 4, dash(), digits(max: 2) >= 1, dash() else { return false }
        return digits(max: 2) >= 1
    }

    /// `[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?`
    private static func isSexagesimal(_ bytes: ArraySlice<UInt8>) -> Bool {
        var rest = bytes
        let head = rest.prefix { isDecimalDigit($0) || $0 == UInt8(ascii: "_") }
        guard !head.isEmpty else { return false }
        rest = rest.dropFirst(head.count)
        var groups = 0
        while rest.first == UInt8(ascii: ":") {
            rest = rest.dropFirst()
            let group = rest.prefix(while: isDecimalDigit)
            guard group.count == 1 || group.count == 2 else { return false }
            if group.count == 2, let tens = group.first, tens > UInt8(ascii: "5") { return false }
            rest = rest.dropFirst(group.count)
            groups += 1
        }
        guard groups > 0 else { return false }
        if rest.isEmpty { return true }
        guard rest.first == UInt8(ascii: ".") else { return false }
        return rest.dropFirst().allSatisfy { isDecimalDigit($0) || $0 == UInt8(ascii: "_") }
    }
}
