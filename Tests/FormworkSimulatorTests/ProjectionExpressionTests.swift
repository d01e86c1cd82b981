import FormworkRuntime
import FormworkSimulator
import Foundation
import Testing

/// A projection and the item it keeps.
struct ProjectionCase: Sendable, CustomTestStringConvertible {
    var text: String
    var expected: TableItem

    init(_ text: String, _ expected: TableItem) {
        self.text = text
        self.expected = expected
    }

    var testDescription: String { text }
}

@Suite("Projection expressions")
struct ProjectionExpressionTests {
    static let item: TableItem = [
        "a": 1,
        "b": "x",
        "s": "text",
        "info": ["nested": ["deep": 7, "extra": 8], "k": "v"],
        "parts": ["zero", ["x": "y", "z": 0], "two", "three"],
    ]

    @Test(
        "keeps the projected parts",
        arguments: [
            ProjectionCase("a", ["a": 1]),
            ProjectionCase("a, b", ["a": 1, "b": "x"]),
            ProjectionCase("b,a", ["a": 1, "b": "x"]),
            ProjectionCase("info.nested", ["info": ["nested": ["deep": 7, "extra": 8]]]),
            ProjectionCase("info.nested.deep", ["info": ["nested": ["deep": 7]]]),
            ProjectionCase("info.nested.deep, info.k", ["info": ["nested": ["deep": 7], "k": "v"]]),
            ProjectionCase("#m.#k", ["info": ["k": "v"]]),
            ProjectionCase("parts[1]", ["parts": [["x": "y", "z": 0]]]),
            ProjectionCase("parts[3], parts[0]", ["parts": ["zero", "three"]]),
            ProjectionCase("parts[1].x", ["parts": [["x": "y"]]]),
            ProjectionCase("parts[1].x, parts[2], a", ["parts": [["x": "y"], "two"], "a": 1]),
            ProjectionCase("absent", [:]),
            ProjectionCase("a, absent", ["a": 1]),
            ProjectionCase("info.absent", [:]),
            ProjectionCase("s.x", [:]),
            ProjectionCase("parts[9]", [:]),
            ProjectionCase("parts.x", [:]),
            ProjectionCase("info[0]", [:]),
        ])
    func project(_ projected: ProjectionCase) throws {
        let attributes = ExpressionPlaceholders(names: ["#m": "info", "#k": "k"])
        let projection = try Expressions.projection(projected.text, attributes)
        #expect(projection.apply(to: Self.item) == projected.expected)
    }

    @Test("the top-level attributes a projection reads")
    func topLevel() throws {
        let projection = try Expressions.projection("a, info.nested.deep, parts[0], #n", ExpressionPlaceholders(names: ["#n": "name"]))
        #expect(projection.topLevelAttributes == ["a", "info", "parts", "name"])
    }

    @Test("an empty item projects to an empty item")
    func emptyItem() throws {
        #expect(try Expressions.projection("a, b.c", ExpressionPlaceholders()).apply(to: [:]) == [:])
    }
}
