import FormworkYAML
import Testing

@Suite struct YAMLParserTests {
    @Test func emptyInputIsNull() throws {
        #expect(try YAMLParser.parse("") == .null)
        #expect(try YAMLParser.parse("# only a comment\n") == .null)
        #expect(try YAMLParser.parse("---\n") == .null)
    }

    @Test func shortFormTags() throws {
        let text = """
            Bucket: !Ref Data
            Arn: !GetAtt Table.Arn
            Zones: !GetAZs ''
            Bare: !GetAZs
            Name: !Sub '${AWS::StackName}-x'
            Joined: !Join ['', [a, !Ref B]]
            Block: !Join
              - ','
              - - x
                - y
            Mapped: !Transform {Name: 'AWS::Include'}

            """
        let expected = YAMLNode.mapping([
            YAMLPair("Bucket", .string("Data", tag: "!Ref")),
            YAMLPair("Arn", .string("Table.Arn", tag: "!GetAtt")),
            YAMLPair("Zones", .string("", tag: "!GetAZs")),
            YAMLPair("Bare", .string("", tag: "!GetAZs")),
            YAMLPair("Name", .string("${AWS::StackName}-x", tag: "!Sub")),
            YAMLPair(
                "Joined", .sequence([.string(""), .sequence([.string("a"), .string("B", tag: "!Ref")])], tag: "!Join")),
            YAMLPair("Block", .sequence([.string(","), .sequence([.string("x"), .string("y")])], tag: "!Join")),
            YAMLPair("Mapped", .mapping([YAMLPair("Name", .string("AWS::Include"))], tag: "!Transform")),
        ])
        #expect(try YAMLParser.parse(text) == expected)
    }

    @Test func plainScalarsResolve() throws {
        let text = """
            a: true
            b: True
            c: FALSE
            d: null
            e: ~
            f:
            g: 42
            h: -3.5
            i: 1e3
            j: 0x1F
            k: 0o17
            l: .inf
            m: -.Inf
            n: .NaN
            o: 0755
            p: yes
            q: 2010-09-09
            r: hello world
            s: 1.2.3

            """
        let expected = YAMLNode.mapping([
            YAMLPair("a", .bool(true)),
            YAMLPair("b", .bool(true)),
            YAMLPair("c", .bool(false)),
            YAMLPair("d", .null),
            YAMLPair("e", .null),
            YAMLPair("f", .null),
            YAMLPair("g", .number("42")),
            YAMLPair("h", .number("-3.5")),
            YAMLPair("i", .number("1e3")),
            YAMLPair("j", .number("0x1F")),
            YAMLPair("k", .number("0o17")),
            YAMLPair("l", .number(".inf")),
            YAMLPair("m", .number("-.Inf")),
            YAMLPair("n", .number(".NaN")),
            YAMLPair("o", .number("0755")),
            YAMLPair("p", .string("yes")),
            YAMLPair("q", .string("2010-09-09")),
            YAMLPair("r", .string("hello world")),
            YAMLPair("s", .string("1.2.3")),
        ])
        #expect(try YAMLParser.parse(text) == expected)
    }

    @Test func quotedAndBlockScalarsStayStrings() throws {
        let text = """
            a: 'true'
            b: "42"
            c: ''
            d: "null"
            e: |
              42
            f: >-
              folded
              text
            g: ! 42

            """
        let expected = YAMLNode.mapping([
            YAMLPair("a", .string("true")),
            YAMLPair("b", .string("42")),
            YAMLPair("c", .string("")),
            YAMLPair("d", .string("null")),
            YAMLPair("e", .string("42\n")),
            YAMLPair("f", .string("folded text")),
            YAMLPair("g", .string("42")),
        ])
        #expect(try YAMLParser.parse(text) == expected)
    }

    @Test func standardTagsMapToCases() throws {
        let text = """
            a: !!str 42
            b: !!int 7
            c: !!float 1.5
            d: !!bool true
            e: !!null ''
            f: !!seq [1]
            g: !!map {k: v}
            h: !!binary aGk=
            i: !!int seven

            """
        let expected = YAMLNode.mapping([
            YAMLPair("a", .string("42")),
            YAMLPair("b", .number("7")),
            YAMLPair("c", .number("1.5")),
            YAMLPair("d", .bool(true)),
            YAMLPair("e", .null),
            YAMLPair("f", .sequence([.number("1")])),
            YAMLPair("g", .mapping([YAMLPair("k", .string("v"))])),
            YAMLPair("h", .string("aGk=", tag: "tag:yaml.org,2002:binary")),
            YAMLPair("i", .string("seven", tag: "tag:yaml.org,2002:int")),
        ])
        #expect(try YAMLParser.parse(text) == expected)
    }

    @Test func taggedPlainScalarsResolve() throws {
        let text = "a: !Custom 42\nb: !Custom false\nc: !Custom '42'\nd: !Custom ~\n"
        let expected = YAMLNode.mapping([
            YAMLPair("a", .number("42", tag: "!Custom")),
            YAMLPair("b", .bool(false, tag: "!Custom")),
            YAMLPair("c", .string("42", tag: "!Custom")),
            YAMLPair("d", .string("~", tag: "!Custom")),
        ])
        #expect(try YAMLParser.parse(text) == expected)
    }

    @Test func keyOrderIsKept() throws {
        let node = try YAMLParser.parse("z: 1\na: 2\nm: 3\n")
        guard case .mapping(let pairs, _) = node else {
            Issue.record("expected a mapping, got \(node)")
            return
        }
        #expect(pairs.map(\.key) == ["z", "a", "m"])
    }

    @Test func keysKeepTheirText() throws {
        let node = try YAMLParser.parse("true: a\n200: b\n'x': c\nnull: d\n")
        let expected = YAMLNode.mapping([
            YAMLPair("true", .string("a")),
            YAMLPair("200", .string("b")),
            YAMLPair("x", .string("c")),
            YAMLPair("null", .string("d")),
        ])
        #expect(node == expected)
    }

    @Test func jsonDocument() throws {
        let text = """
            {"AWSTemplateFormatVersion": "2010-09-09",
             "Resources": {"Queue": {"Type": "AWS::SQS::Queue",
               "Properties": {"DelaySeconds": 5, "Fifo": true, "Tags": [], "Name": null, "Ratio": 0.25}}}}
            """
        let expected = YAMLNode.mapping([
            YAMLPair("AWSTemplateFormatVersion", .string("2010-09-09")),
            YAMLPair(
                "Resources",
                .mapping([
                    YAMLPair(
                        "Queue",
                        .mapping([
                            YAMLPair("Type", .string("AWS::SQS::Queue")),
                            YAMLPair(
                                "Properties",
                                .mapping([
                                    YAMLPair("DelaySeconds", .number("5")),
                                    YAMLPair("Fifo", .bool(true)),
                                    YAMLPair("Tags", .sequence([])),
                                    YAMLPair("Name", .null),
                                    YAMLPair("Ratio", .number("0.25")),
                                ])),
                        ]))
                ])),
        ])
        #expect(try YAMLParser.parse(text) == expected)
    }

    @Test func anchorsAndAliases() throws {
        let text = """
            base: &tags
              - Key: Team
                Value: core
            copy: *tags
            name: &name api
            again: *name
            *name : aliased key

            """
        let tags = YAMLNode.sequence([
            .mapping([YAMLPair("Key", .string("Team")), YAMLPair("Value", .string("core"))])
        ])
        let expected = YAMLNode.mapping([
            YAMLPair("base", tags),
            YAMLPair("copy", tags),
            YAMLPair("name", .string("api")),
            YAMLPair("again", .string("api")),
            YAMLPair("api", .string("aliased key")),
        ])
        #expect(try YAMLParser.parse(text) == expected)
    }

    @Test func unknownAliasThrows() {
        #expect(throws: YAMLError.self) { try YAMLParser.parse("a: *missing\n") }
    }

    @Test func aliasExpansionIsLimited() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g"]
        for (previous, name) in zip(names, names.dropFirst()) {
            let items = Array(repeating: "*\(previous)", count: 10).joined(separator: ", ")
            text += "\(name): &\(name) [\(items)]\n"
        }
        #expect(throws: YAMLError.self) { try YAMLParser.parse(text) }
    }

    @Test func syntaxErrorHasLine() {
        do {
            _ = try YAMLParser.parse("Resources:\n  A: b\n   C: d\n")
            Issue.record("expected a syntax error")
        } catch let error as YAMLError {
            #expect(error.line == 3)
            #expect(error.column > 0)
            #expect(error.description.hasPrefix("line 3"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func unclosedFlowSequenceHasLine() {
        do {
            _ = try YAMLParser.parse("a: 1\nb: [1,\n")
            Issue.record("expected a syntax error")
        } catch let error as YAMLError {
            #expect(error.line >= 2)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func controlCharacterErrorHasLine() {
        do {
            _ = try YAMLParser.parse("a: 1\nb: x\u{7}y\n")
            Issue.record("expected an error")
        } catch let error as YAMLError {
            #expect(error.line == 2)
            #expect(error.column == 5)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func multipleDocumentsThrow() {
        do {
            _ = try YAMLParser.parse("a: 1\n---\nb: 2\n")
            Issue.record("expected an error")
        } catch let error as YAMLError {
            #expect(error.line == 2)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func explicitDocumentMarkersAreAccepted() throws {
        #expect(try YAMLParser.parse("---\na: 1\n...\n") == .mapping([YAMLPair("a", .number("1"))]))
    }

    @Test func duplicateKeysThrow() {
        #expect(throws: YAMLError.self) { try YAMLParser.parse("a: 1\na: 2\n") }
    }

    @Test func collectionKeysThrow() {
        #expect(throws: YAMLError.self) { try YAMLParser.parse("[a, b]: c\n") }
        #expect(throws: YAMLError.self) { try YAMLParser.parse("? {a: b}\n: c\n") }
    }

    @Test func nestingLimit() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: YAMLError.self) { try YAMLParser.parse(deep) }
    }

    @Test func unicodeAndEscapes() throws {
        let text = "a: Größe\nb: タスク\nc: \"\\U0001F600\\t\"\nd: 😀\n"
        let expected = YAMLNode.mapping([
            YAMLPair("a", .string("Größe")),
            YAMLPair("b", .string("タスク")),
            YAMLPair("c", .string("😀\t")),
            YAMLPair("d", .string("😀")),
        ])
        #expect(try YAMLParser.parse(text) == expected)
    }

    @Test func literalChomping() throws {
        let text = "clip: |\n  a\n\nstrip: |-\n  a\n\nkeep: |+\n  a\n\nlast: x\n"
        let expected = YAMLNode.mapping([
            YAMLPair("clip", .string("a\n")),
            YAMLPair("strip", .string("a")),
            YAMLPair("keep", .string("a\n\n")),
            YAMLPair("last", .string("x")),
        ])
        #expect(try YAMLParser.parse(text) == expected)
    }

    @Test func errorDescription() {
        #expect(YAMLError(message: "bad", line: 2, column: 5).description == "line 2, column 5: bad")
        #expect(YAMLError(message: "bad").description == "bad")
    }
}
