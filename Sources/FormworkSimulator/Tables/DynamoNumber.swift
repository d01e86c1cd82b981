import FormworkRuntime

/// An exact DynamoDB number: at most 38 significant digits, magnitude from 1E-130 to
/// 9.9999999999999999999999999999999999999E+125, compared and added exactly.
public struct DynamoNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whether the number is below zero.
    let negative: Bool
    /// The significant digits (0–9), without leading or trailing zeros; empty for zero.
    let digits: [UInt8]
    /// The value is `0.d₁d₂d₃… × 10^exponent`.
    let exponent: Int

    static let maxDigits = 38

    private init(negative: Bool, digits: [UInt8], exponent: Int) {
        let first = digits.firstIndex { $0 != 0 } ?? digits.endIndex
        let last = digits.lastIndex { $0 != 0 }.map { $0 + 1 } ?? first
        let significant = Array(digits[first..<max(first, last)])
        self.negative = significant.isEmpty ? false : negative
        self.digits = significant
        self.exponent = significant.isEmpty ? 0 : exponent - first
    }

    /// Longer number text is rejected before parsing (DynamoDB's longest valid number is far shorter).
    static let maxTextLength = 200

    /// Zero.
    public static let zero = DynamoNumber(negative: false, digits: [], exponent: 0)

    /// Parses DynamoDB's number text (`-12.5`, `1e3`, `0.000`), rejecting what DynamoDB rejects.
    public init(parsing text: String) throws(TableError) {
        guard text.utf8.count <= Self.maxTextLength else {
            throw .validation("Attempting to store more than 38 significant digits in a Number")
        }
        var scalars = Substring(text.trimmingSpaces)
        var negative = false
        if scalars.first == "-" || scalars.first == "+" {
            negative = scalars.first == "-"
            scalars = scalars.dropFirst()
        }
        var mantissa = scalars
        var exponentPart = 0
        if let e = scalars.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = scalars[..<e]
            guard let value = Int(scalars[scalars.index(after: e)...]), (-99_999...99_999).contains(value) else {
                throw .validation("A value provided cannot be converted into a number")
            }
            exponentPart = value
        }
        var digits: [UInt8] = []
        var pointPosition: Int?
        for character in mantissa {
            if character == "." {
                guard pointPosition == nil else { throw .validation("A value provided cannot be converted into a number") }
                pointPosition = digits.count
            } else if let digit = character.wholeNumberValue, character.isASCII {
                digits.append(UInt8(digit))
            } else {
                throw .validation("A value provided cannot be converted into a number")
            }
        }
        guard !digits.isEmpty else { throw .validation("A value provided cannot be converted into a number") }
        let number = DynamoNumber(negative: negative, digits: digits, exponent: (pointPosition ?? digits.count) + exponentPart)
        try number.checkRange()
        self = number
    }

    func checkRange() throws(TableError) {
        if digits.count > Self.maxDigits {
            throw .validation("Attempting to store more than 38 significant digits in a Number")
        }
        if !digits.isEmpty && exponent > 126 {
            throw .validation("Number overflow. Attempting to store a number with magnitude larger than supported range")
        }
        if !digits.isEmpty && exponent < -129 {
            throw .validation("Number underflow. Attempting to store a number with magnitude smaller than supported range")
        }
    }

    /// The canonical text DynamoDB returns: plain decimal, no exponent, no redundant zeros.
    public var description: String {
        if digits.isEmpty { return "0" }
        var text = negative ? "-" : ""
        let chars = digits.map { Character(String($0)) }
        if exponent <= 0 {
            text += "0." + String(repeating: "0", count: -exponent) + String(chars)
        } else if exponent >= chars.count {
            text += String(chars) + String(repeating: "0", count: exponent - chars.count)
        } else {
            text += String(chars[..<exponent]) + "." + String(chars[exponent...])
        }
        return text
    }

    /// Whether the number is zero.
    public var isZero: Bool { digits.isEmpty }

    public static func < (lhs: DynamoNumber, rhs: DynamoNumber) -> Bool {
        if lhs.negative != rhs.negative { return lhs.negative }
        let magnitudeLess = compareMagnitude(lhs, rhs) < 0
        let equal = compareMagnitude(lhs, rhs) == 0
        return lhs.negative ? (!magnitudeLess && !equal) : magnitudeLess
    }

    /// -1, 0 or 1 comparing absolute values.
    private static func compareMagnitude(_ a: DynamoNumber, _ b: DynamoNumber) -> Int {
        if a.digits.isEmpty || b.digits.isEmpty { return a.digits.isEmpty ? (b.digits.isEmpty ? 0 : -1) : 1 }
        if a.exponent != b.exponent { return a.exponent < b.exponent ? -1 : 1 }
        for (x, y) in zip(a.digits, b.digits) where x != y { return x < y ? -1 : 1 }
        return a.digits.count == b.digits.count ? 0 : (a.digits.count < b.digits.count ? -1 : 1)
    }

    /// The exact sum; fails as DynamoDB does when the result does not fit.
    public static func adding(_ a: DynamoNumber, _ b: DynamoNumber) throws(TableError) -> DynamoNumber {
        if a.isZero { return b }
        if b.isZero { return a }
        // Align both on the smallest digit position.
        let lowA = a.exponent - a.digits.count, lowB = b.exponent - b.digits.count
        let low = min(lowA, lowB), high = max(a.exponent, b.exponent) + 1
        func padded(_ n: DynamoNumber) -> [Int] {
            var column = [Int](repeating: 0, count: high - low)
            for (i, d) in n.digits.enumerated() { column[high - (n.exponent - i)] = Int(d) }
            return column
        }
        let x = padded(a), y = padded(b)
        var result: [Int]
        var negative: Bool
        if a.negative == b.negative {
            result = add(x, y)
            negative = a.negative
        } else if compareMagnitude(a, b) >= 0 {
            result = subtract(x, y)
            negative = a.negative
        } else {
            result = subtract(y, x)
            negative = b.negative
        }
        let sum = DynamoNumber(negative: negative, digits: result.map { UInt8($0) }, exponent: high)
        if sum.digits.count > maxDigits {
            throw .validation("Number overflow. Attempting to store a number with magnitude larger than supported range")
        }
        try sum.checkRange()
        return sum
    }

    /// `a - b`, exactly.
    public static func subtracting(_ a: DynamoNumber, _ b: DynamoNumber) throws(TableError) -> DynamoNumber {
        try adding(a, DynamoNumber(negative: !b.negative, digits: b.digits, exponent: b.exponent))
    }

    private static func add(_ x: [Int], _ y: [Int]) -> [Int] {
        var out = [Int](repeating: 0, count: x.count)
        var carry = 0
        for i in stride(from: x.count - 1, through: 0, by: -1) {
            let s = x[i] + y[i] + carry
            out[i] = s % 10
            carry = s / 10
        }
        return out
    }

    private static func subtract(_ x: [Int], _ y: [Int]) -> [Int] {
        var out = [Int](repeating: 0, count: x.count)
        var borrow = 0
        for i in stride(from: x.count - 1, through: 0, by: -1) {
            var d = x[i] - y[i] - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 10 }
            out[i] = d
        }
        return out
    }

    /// Bytes whose unsigned lexicographic order is the numbers' order (for SQLite keys).
    public var sortableBytes: [UInt8] {
        if digits.isEmpty { return [0x80] }
        let biased = UInt16(clamping: exponent + 0x4000)
        if negative {
            let e = ~biased
            return [0x7F, UInt8(e >> 8), UInt8(e & 0xFF)] + digits.map { 9 - $0 } + [0xFF]
        }
        return [0x81, UInt8(biased >> 8), UInt8(biased & 0xFF)] + digits.map { $0 + 1 }
    }

    /// DynamoDB's size of the number in bytes: about one byte per two significant digits, plus one.
    public var storageSize: Int { (digits.count + 1) / 2 + 1 }
}

extension String {
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
