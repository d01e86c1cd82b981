import FormworkRuntime
import FormworkSimulator
import Foundation
import Testing

@Suite("Condition expressions: evaluation")
struct ConditionEvaluationTests {
    @Test(
        "comparisons",
        arguments: [
            ("n = :five", true),
            ("n = :fiveDecimal", true),  // numbers compare by value
            ("n = :six", false),
            ("n <> :five", false),
            ("n <> :six", true),
            ("n < :six", true),
            ("n < :five", false),
            ("n <= :five", true),
            ("n > :five", false),
            ("n >= :five", true),
            ("price = :twoFive", true),
            ("price < :three", true),
            ("s = :helloWorld", true),
            ("s > :hello", true),
            ("s < :hello", false),
            ("b > :b12", true),
            ("b < :b2", true),
            ("parts[2] = :mapXY", true),
            // Different types: ordering is false, inequality true.
            ("s < :five", false),
            ("s >= :five", false),
            ("n = :hello", false),
            ("n <> :hello", true),
            ("flag < :true", false),
            ("flag = :true", true),
            // A missing attribute: every comparison is false except <>.
            ("absent = :five", false),
            ("absent < :five", false),
            ("absent >= :five", false),
            ("absent <> :five", true),
            (":five = :fiveDecimal", true),
            ("n < price", false),
            ("price < n", true),
        ])
    func comparisons(expression: String, expected: Bool) throws {
        #expect(try ExpressionFixture.evaluate(expression) == expected)
    }

    @Test(
        "BETWEEN and IN",
        arguments: [
            ("n BETWEEN :two AND :six", true),
            ("n BETWEEN :five AND :five", true),
            ("n BETWEEN :six AND :seven", false),
            ("n BETWEEN :one AND :two", false),
            ("s BETWEEN :hello AND :world", true),
            ("s BETWEEN :two AND :six", false),
            ("absent BETWEEN :two AND :six", false),
            ("n IN (:two, :five)", true),
            ("n IN (:fiveDecimal)", true),
            ("n IN (:two, :six)", false),
            ("s IN (:hello, :helloWorld)", true),
            ("absent IN (:five)", false),
            ("n IN (price, :five)", true),
        ])
    func ranges(expression: String, expected: Bool) throws {
        #expect(try ExpressionFixture.evaluate(expression) == expected)
    }

    @Test(
        "attribute_exists, attribute_not_exists and attribute_type",
        arguments: [
            ("attribute_exists(n)", true),
            ("attribute_exists(absent)", false),
            ("attribute_exists(nothing)", true),  // NULL is a value
            ("attribute_not_exists(absent)", true),
            ("attribute_not_exists(pk)", false),
            ("attribute_exists(info.nested.deep)", true),
            ("attribute_exists(info.nested.shallow)", false),
            ("attribute_exists(parts[2].x)", true),
            ("attribute_exists(parts[3])", false),
            ("attribute_exists(s.x)", false),
            ("attribute_exists(#m.#i)", true),
            ("attribute_type(s, :S)", true),
            ("attribute_type(n, :N)", true),
            ("attribute_type(b, :B)", true),
            ("attribute_type(flag, :BOOL)", true),
            ("attribute_type(nothing, :NULL)", true),
            ("attribute_type(tags, :SS)", true),
            ("attribute_type(nums, :NS)", true),
            ("attribute_type(bins, :BS)", true),
            ("attribute_type(parts, :L)", true),
            ("attribute_type(info, :M)", true),
            ("attribute_type(n, :S)", false),
            ("attribute_type(absent, :S)", false),
        ])
    func existence(expression: String, expected: Bool) throws {
        #expect(try ExpressionFixture.evaluate(expression) == expected)
    }

    @Test(
        "begins_with, contains and size",
        arguments: [
            ("begins_with(s, :hello)", true),
            ("begins_with(s, :world)", false),
            ("begins_with(b, :b12)", true),
            ("begins_with(b, :b2)", false),
            ("begins_with(n, :hello)", false),
            ("begins_with(absent, :hello)", false),
            ("contains(s, :world)", true),
            ("contains(s, :red)", false),
            ("contains(tags, :red)", true),
            ("contains(tags, :hello)", false),
            ("contains(nums, :twoFive)", true),
            ("contains(nums, :two)", false),
            ("contains(bins, :b2)", true),
            ("contains(bins, :b9)", false),
            ("contains(parts, :a)", true),
            ("contains(parts, :two)", true),
            ("contains(parts, :mapXY)", true),
            ("contains(parts, :y)", false),
            ("contains(info, :a)", false),
            ("contains(n, :five)", false),
            ("size(s) = :eleven", true),
            ("size(emoji) = :three", true),  // UTF-16 code units
            ("size(b) = :three", true),
            ("size(tags) = :two", true),
            ("size(parts) = :three", true),
            ("size(info) = :two", true),
            ("size(info.nested) = :one", true),
            ("size(n) = :one", false),  // numbers have no size
            ("size(n) <> :one", true),
            ("size(absent) >= :zero", false),
            ("size(s) > size(tags)", true),
            ("size(parts) BETWEEN :two AND :three", true),
            ("(size(s)) = :eleven", true),
        ])
    func functions(expression: String, expected: Bool) throws {
        #expect(try ExpressionFixture.evaluate(expression) == expected)
    }

    @Test(
        "NOT binds tighter than AND, and AND tighter than OR",
        arguments: [
            ("n = :five OR n = :six AND s = :hello", true),
            ("(n = :five OR n = :six) AND s = :hello", false),
            ("n = :six AND s = :hello OR attribute_exists(pk)", true),
            ("n = :six AND (s = :hello OR attribute_exists(pk))", false),
            ("NOT n = :six AND n = :five", true),
            ("NOT (n = :five AND s = :hello)", true),
            ("NOT n = :five OR n = :five", true),
            ("NOT (n = :five OR n = :six)", false),
            ("n = :six OR NOT attribute_exists(pk)", false),
            ("attribute_exists(pk) AND attribute_exists(n) AND attribute_exists(absent)", false),
            ("attribute_exists(absent) OR attribute_exists(absent) OR attribute_exists(n)", true),
            ("(n = :five)", true),
            ("((n = :five) AND (s = :helloWorld))", true),
            ("(n) = :five", true),
        ])
    func precedence(expression: String, expected: Bool) throws {
        #expect(try ExpressionFixture.evaluate(expression) == expected)
    }

    @Test(
        "keywords are case-insensitive",
        arguments: [
            ("n = :five and s = :helloWorld", true),
            ("n = :six Or s = :helloWorld", true),
            ("not n = :six", true),
            ("n between :two and :six", true),
            ("n iN (:five)", true),
        ])
    func caseInsensitiveKeywords(expression: String, expected: Bool) throws {
        #expect(try ExpressionFixture.evaluate(expression) == expected)
    }

    @Test(
        "document paths and placeholders",
        arguments: [
            ("info.nested.deep = :seven", true),
            ("#m.#i.deep = :seven", true),
            ("info . nested . deep = :seven", true),
            ("parts[0] = :a", true),
            ("parts [ 1 ] = :two", true),
            ("#l[2].x = :y", true),
            ("parts[2].x = :y", true),
            ("parts[9] = :a", false),
            ("info.k.deeper = :a", false),
            ("#status = :open", true),
        ])
    func paths(expression: String, expected: Bool) throws {
        #expect(try ExpressionFixture.evaluate(expression) == expected)
    }

    @Test(
        "an absent item has no attributes",
        arguments: [
            ("attribute_not_exists(pk)", true),
            ("attribute_exists(pk)", false),
            ("n <> :five", true),
            ("n = :five", false),
            ("NOT contains(tags, :red)", true),
        ])
    func absentItem(expression: String, expected: Bool) throws {
        #expect(try ExpressionFixture.evaluate(expression, on: [:]) == expected)
    }

    @Test("a parsed condition can be evaluated many times")
    func reuse() throws {
        let condition = try Expressions.condition("version = :v", ExpressionPlaceholders(values: [":v": 3]))
        #expect(try condition.evaluate(["version": 3]))
        #expect(try !condition.evaluate(["version": 4]))
        #expect(try !condition.evaluate([:]))
    }
}
