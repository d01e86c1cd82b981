import FormworkYAML
import Testing

/// A string, the exact text it is emitted as when it is the value of `Value:`, and whether
/// that is the whole story (`nil` expected text only checks the round trip).
struct StringCase: Sendable, CustomTestStringConvertible {
    var string: String
    var emittedValue: String?

    init(_ string: String, _ emittedValue: String?) {
        self.string = string
        self.emittedValue = emittedValue
    }

    var testDescription: String { string.debugDescription }
}

let trickyStrings: [StringCase] = [
    // Read as a date/timestamp by YAML 1.1.
    StringCase("2010-09-09", "'2010-09-09'"),
    // Booleans under YAML 1.1 or 1.2.
    StringCase("yes", "'yes'"),
    StringCase("no", "'no'"),
    StringCase("on", "'on'"),
    StringCase("off", "'off'"),
    StringCase("y", "'y'"),
    StringCase("n", "'n'"),
    StringCase("true", "'true'"),
    StringCase("True", "'True'"),
    StringCase("FALSE", "'FALSE'"),
    // Nulls.
    StringCase("null", "'null'"),
    StringCase("Null", "'Null'"),
    StringCase("~", "'~'"),
    StringCase("", "''"),
    // Numbers.
    StringCase("0755", "'0755'"),
    StringCase("1e3", "'1e3'"),
    StringCase("0x1F", "'0x1F'"),
    StringCase(".inf", "'.inf'"),
    StringCase("-.5", "'-.5'"),
    StringCase("3.10", "'3.10'"),
    StringCase("1_000", "'1_000'"),
    StringCase("12:30", "'12:30'"),
    StringCase("42", "'42'"),
    // Indicators and syntax.
    StringCase("-", "'-'"),
    StringCase("*", "'*'"),
    StringCase("a: b", "'a: b'"),
    StringCase("a #b", "'a #b'"),
    StringCase("a:", "'a:'"),
    StringCase("@x", "'@x'"),
    StringCase("!x", "'!x'"),
    StringCase("%x", "'%x'"),
    StringCase("`x", "'`x'"),
    StringCase("? x", "'? x'"),
    StringCase("&x", "'&x'"),
    StringCase("{x}", "'{x}'"),
    StringCase("[x]", "'[x]'"),
    StringCase("#x", "'#x'"),
    StringCase("|", "'|'"),
    StringCase(">", "'>'"),
    StringCase("'q'", "'''q'''"),
    StringCase("\"q\"", "'\"q\"'"),
    StringCase("---", "'---'"),
    StringCase("...", "'...'"),
    StringCase("<<", "'<<'"),
    StringCase("=", "'='"),
    StringCase(" lead", "' lead'"),
    StringCase("trail ", "'trail '"),
    // Plain is fine.
    StringCase("it's", "it's"),
    StringCase("a#b", "a#b"),
    StringCase("1.2.3", "1.2.3"),
    StringCase("Fn::GetAtt", "Fn::GetAtt"),
    StringCase("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/*"),
    StringCase("${AWS::StackName}-bucket", "${AWS::StackName}-bucket"),
    StringCase("a\\b", "a\\b"),
    // Multi-line.
    StringCase("a\nb", "|-\n  a\n  b"),
    StringCase("a\nb\n", "|\n  a\n  b"),
    StringCase("a\nb\n\n", "|+\n  a\n  b\n"),
    StringCase("a\n\nb\n", "|\n  a\n\n  b"),
    StringCase("line\n  indented\n", "|\n  line\n    indented"),
    StringCase("#!/bin/bash\necho hi\n", "|\n  #!/bin/bash\n  echo hi"),
    StringCase("  a\nb", "\"  a\\nb\""),
    StringCase("\na", "\"\\na\""),
    StringCase("\n", "\"\\n\""),
    StringCase("a \nb", "\"a \\nb\""),
    StringCase("a\nb ", "\"a\\nb \""),
    StringCase("x\r\ny", "\"x\\r\\ny\""),
    // Control characters.
    StringCase("a\tb", "\"a\\tb\""),
    StringCase("a\u{0}b", "\"a\\0b\""),
    StringCase("\u{FEFF}x", "\"\\uFEFFx\""),
    // Non-ASCII stays UTF-8.
    StringCase("Größe", "Größe"),
    StringCase("タスク", "タスク"),
    StringCase("😀 ok", "😀 ok"),
    StringCase("🎉", "🎉"),
    StringCase("\u{E000}😀\u{E001}", "\u{E000}😀\u{E001}"),
    StringCase("😀\n🎉\n", "|\n  😀\n  🎉"),
    StringCase("😀\t", "\"😀\\t\""),
]

@Suite struct YAMLEmitterTests {
    @Test(arguments: trickyStrings)
    func trickyStringAsValue(_ testCase: StringCase) throws {
        let node = YAMLNode.mapping([YAMLPair("Value", .string(testCase.string))])
        let text = try YAMLEmitter.emit(node)
        if let expected = testCase.emittedValue {
            #expect(text == "Value: \(expected)\n")
        }
        #expect(try YAMLParser.parse(text) == node)
    }

    @Test(arguments: trickyStrings)
    func trickyStringAsKeyAndItem(_ testCase: StringCase) throws {
        let node = YAMLNode.mapping([
            YAMLPair(testCase.string, .sequence([.string(testCase.string)])),
            YAMLPair("Other", .string(testCase.string, tag: "!Sub")),
        ])
        let text = try YAMLEmitter.emit(node)
        #expect(try YAMLParser.parse(text) == node)
    }

    @Test(arguments: trickyStrings)
    func trickyStringAsDocument(_ testCase: StringCase) throws {
        let node = YAMLNode.string(testCase.string)
        let text = try YAMLEmitter.emit(node)
        if let expected = testCase.emittedValue {
            #expect(text == "\(expected)\n")
        }
        #expect(!text.contains("\n...\n"))
        #expect(!text.hasPrefix("---"))
        #expect(try YAMLParser.parse(text) == node)
    }

    @Test func templateVersionIsQuoted() throws {
        let node = YAMLNode.mapping([YAMLPair("AWSTemplateFormatVersion", .string("2010-09-09"))])
        #expect(try YAMLEmitter.emit(node) == "AWSTemplateFormatVersion: '2010-09-09'\n")
    }

    @Test func scalarTags() throws {
        let node = YAMLNode.mapping([
            YAMLPair("Value", .string("Foo", tag: "!Ref")),
            YAMLPair("Arn", .string("Table.Arn", tag: "!GetAtt")),
            YAMLPair("Zones", .string("", tag: "!GetAZs")),
            YAMLPair("Name", .string("${AWS::StackName}-data", tag: "!Sub")),
            YAMLPair("Quoted", .string("2010-09-09", tag: "!Sub")),
            YAMLPair("Import", .string("shared-vpc", tag: "!ImportValue")),
            YAMLPair("Condition", .string("IsProd", tag: "!Condition")),
            YAMLPair("Script", .string("echo ${A}\necho done\n", tag: "!Sub")),
        ])
        let text = try YAMLEmitter.emit(node)
        #expect(
            text == """
                Value: !Ref Foo
                Arn: !GetAtt Table.Arn
                Zones: !GetAZs ''
                Name: !Sub ${AWS::StackName}-data
                Quoted: !Sub '2010-09-09'
                Import: !ImportValue shared-vpc
                Condition: !Condition IsProd
                Script: !Sub |
                  echo ${A}
                  echo done

                """)
        #expect(try YAMLParser.parse(text) == node)
    }

    @Test func tagOnDocumentScalar() throws {
        #expect(try YAMLEmitter.emit(.string("Table.Arn", tag: "!GetAtt")) == "!GetAtt Table.Arn\n")
        #expect(try YAMLParser.parse("!GetAtt Table.Arn\n") == .string("Table.Arn", tag: "!GetAtt"))
    }

    @Test func taggedNumbersAndBools() throws {
        let node = YAMLNode.mapping([
            YAMLPair("Number", .number("42", tag: "!Custom")),
            YAMLPair("Bool", .bool(true, tag: "!Custom")),
            YAMLPair("NumberText", .string("42", tag: "!Custom")),
            YAMLPair("BoolText", .string("true", tag: "!Custom")),
        ])
        let text = try YAMLEmitter.emit(node)
        #expect(
            text == """
                Number: !Custom 42
                Bool: !Custom true
                NumberText: !Custom '42'
                BoolText: !Custom 'true'

                """)
        #expect(try YAMLParser.parse(text) == node)
    }

    @Test func sequenceTags() throws {
        let node = YAMLNode.mapping([
            YAMLPair(
                "Joined",
                .sequence(
                    [.string(""), .sequence([.string("arn:aws:s3:::"), .string("Bucket", tag: "!Ref")])],
                    tag: "!Join")),
            YAMLPair(
                "First",
                .sequence([.number("0"), .string("", tag: "!GetAZs")], tag: "!Select")),
            YAMLPair(
                "Either",
                .sequence(
                    [.string("IsProd"), .number("3"), .string("AWS::NoValue", tag: "!Ref")], tag: "!If")),
            YAMLPair("Parts", .sequence([.string(","), .string("a,b")], tag: "!Split")),
            YAMLPair(
                "Blocks",
                .sequence([.string("VpcCidr", tag: "!Ref"), .number("6"), .number("5")], tag: "!Cidr")),
        ])
        let text = try YAMLEmitter.emit(node)
        #expect(
            text == """
                Joined: !Join
                - ''
                - - 'arn:aws:s3:::'
                  - !Ref Bucket
                First: !Select
                - 0
                - !GetAZs ''
                Either: !If
                - IsProd
                - 3
                - !Ref AWS::NoValue
                Parts: !Split
                - ','
                - a,b
                Blocks: !Cidr
                - !Ref VpcCidr
                - 6
                - 5

                """)
        #expect(try YAMLParser.parse(text) == node)
    }

    @Test func conditionTagsNest() throws {
        let node = YAMLNode.mapping([
            YAMLPair(
                "IsProdAndEast",
                .sequence(
                    [
                        .sequence([.string("Env", tag: "!Ref"), .string("prod")], tag: "!Equals"),
                        .sequence(
                            [.sequence([.string("AWS::Region", tag: "!Ref"), .string("us-west-2")], tag: "!Equals")],
                            tag: "!Not"),
                        .sequence([.string("A", tag: "!Condition"), .string("B", tag: "!Condition")], tag: "!Or"),
                    ], tag: "!And"))
        ])
        let text = try YAMLEmitter.emit(node)
        #expect(
            text == """
                IsProdAndEast: !And
                - !Equals
                  - !Ref Env
                  - prod
                - !Not
                  - !Equals
                    - !Ref AWS::Region
                    - us-west-2
                - !Or
                  - !Condition A
                  - !Condition B

                """)
        #expect(try YAMLParser.parse(text) == node)
    }

    @Test func mappingTags() throws {
        let node = YAMLNode.mapping([
            YAMLPair(
                "Fn::Transform",
                .mapping(
                    [
                        YAMLPair("Name", .string("AWS::Include")),
                        YAMLPair("Parameters", .mapping([YAMLPair("Location", .string("s3://b/k"))])),
                    ], tag: "!Transform")),
            YAMLPair(
                "Json",
                .mapping([YAMLPair("Key", .string("Value", tag: "!Ref"))], tag: "!ToJsonString")),
            YAMLPair("Lookup", .sequence([.string("Map"), .string("Key", tag: "!Ref"), .string("Ami")], tag: "!FindInMap")),
            YAMLPair("Data", .mapping([YAMLPair("a", .number("1"))], tag: "!Base64")),
        ])
        let text = try YAMLEmitter.emit(node)
        #expect(
            text == """
                Fn::Transform: !Transform
                  Name: AWS::Include
                  Parameters:
                    Location: s3://b/k
                Json: !ToJsonString
                  Key: !Ref Value
                Lookup: !FindInMap
                - Map
                - !Ref Key
                - Ami
                Data: !Base64
                  a: 1

                """)
        #expect(try YAMLParser.parse(text) == node)
    }

    @Test func taggedCollectionsInSequences() throws {
        let node = YAMLNode.sequence([
            .sequence([.string("-"), .sequence([.string("a"), .string("b")])], tag: "!Join"),
            .mapping([YAMLPair("k", .string("v"))], tag: "!Custom"),
            .sequence([], tag: "!Custom"),
            .mapping([], tag: "!Custom"),
        ])
        let text = try YAMLEmitter.emit(node)
        #expect(
            text == """
                - !Join
                  - '-'
                  - - a
                    - b
                - !Custom
                  k: v
                - !Custom []
                - !Custom {}

                """)
        #expect(try YAMLParser.parse(text) == node)
    }

    @Test func standardTagShorthandIsExpanded() throws {
        let text = try YAMLEmitter.emit(.string("aGVsbG8=", tag: "!!binary"))
        #expect(text == "!!binary aGVsbG8=\n")
        #expect(try YAMLParser.parse(text) == .string("aGVsbG8=", tag: "tag:yaml.org,2002:binary"))
    }

    @Test func nestedStructure() throws {
        let node = YAMLNode.mapping([
            YAMLPair("AWSTemplateFormatVersion", .string("2010-09-09")),
            YAMLPair("Transform", .string("AWS::Serverless-2016-10-31")),
            YAMLPair("Description", .string("Tasks API\nwith two lines")),
            YAMLPair(
                "Parameters",
                .mapping([
                    YAMLPair(
                        "Env",
                        .mapping([
                            YAMLPair("Type", .string("String")),
                            YAMLPair("AllowedValues", .sequence([.string("dev"), .string("prod")])),
                            YAMLPair("Default", .string("dev")),
                        ]))
                ])),
            YAMLPair(
                "Resources",
                .mapping([
                    YAMLPair(
                        "Table",
                        .mapping([
                            YAMLPair("Type", .string("AWS::DynamoDB::Table")),
                            YAMLPair(
                                "Properties",
                                .mapping([
                                    YAMLPair("BillingMode", .string("PAY_PER_REQUEST")),
                                    YAMLPair(
                                        "AttributeDefinitions",
                                        .sequence([
                                            .mapping([
                                                YAMLPair("AttributeName", .string("id")),
                                                YAMLPair("AttributeType", .string("S")),
                                            ])
                                        ])),
                                    YAMLPair("Enabled", .bool(true)),
                                    YAMLPair("Nothing", .null),
                                    YAMLPair("Timeout", .number("30")),
                                    YAMLPair("Ratio", .number("0.5")),
                                    YAMLPair("Tags", .sequence([])),
                                    YAMLPair("Extra", .mapping([])),
                                ])),
                        ]))
                ])),
        ])
        let text = try YAMLEmitter.emit(node)
        #expect(
            text == """
                AWSTemplateFormatVersion: '2010-09-09'
                Transform: AWS::Serverless-2016-10-31
                Description: |-
                  Tasks API
                  with two lines
                Parameters:
                  Env:
                    Type: String
                    AllowedValues:
                    - dev
                    - prod
                    Default: dev
                Resources:
                  Table:
                    Type: AWS::DynamoDB::Table
                    Properties:
                      BillingMode: PAY_PER_REQUEST
                      AttributeDefinitions:
                      - AttributeName: id
                        AttributeType: S
                      Enabled: true
                      Nothing: null
                      Timeout: 30
                      Ratio: 0.5
                      Tags: []
                      Extra: {}

                """)
        #expect(try YAMLParser.parse(text) == node)
    }

    @Test func scalarDocuments() throws {
        #expect(try YAMLEmitter.emit(.null) == "null\n")
        #expect(try YAMLEmitter.emit(.bool(false)) == "false\n")
        #expect(try YAMLEmitter.emit(.number("3.5")) == "3.5\n")
        #expect(try YAMLEmitter.emit(.number("-1e+3")) == "-1e+3\n")
        #expect(try YAMLEmitter.emit(.string("plain text")) == "plain text\n")
    }

    @Test func keysAreQuotedWhenAmbiguous() throws {
        let node = YAMLNode.mapping([
            YAMLPair("yes", .string("a")),
            YAMLPair("N", .string("b")),
            YAMLPair("200", .string("c")),
            YAMLPair("", .string("d")),
            YAMLPair("Plain", .string("e")),
        ])
        let text = try YAMLEmitter.emit(node)
        #expect(text == "'yes': a\n'N': b\n'200': c\n'': d\nPlain: e\n")
        #expect(try YAMLParser.parse(text) == node)
    }

    @Test func multiLineKeyRoundTrips() throws {
        let node = YAMLNode.mapping([YAMLPair("two\nlines", .string("v"))])
        let text = try YAMLEmitter.emit(node)
        #expect(text == "? \"two\\nlines\"\n: v\n")
        #expect(try YAMLParser.parse(text) == node)
    }

    @Test func deterministic() throws {
        let node = YAMLNode.mapping([
            YAMLPair("B", .string("second")),
            YAMLPair("A", .sequence([.string("😀"), .string("x", tag: "!Ref"), .number("1")])),
            YAMLPair("C", .mapping([YAMLPair("z", .null), YAMLPair("y", .bool(false))])),
        ])
        let first = try YAMLEmitter.emit(node)
        let second = try YAMLEmitter.emit(node)
        #expect(Array(first.utf8) == Array(second.utf8))
        #expect(first.hasPrefix("B: second\nA:\n"))
    }

    @Test func invalidNumberThrows() {
        #expect(throws: YAMLError.self) { try YAMLEmitter.emit(.number("abc")) }
        #expect(throws: YAMLError.self) { try YAMLEmitter.emit(.number("")) }
    }

    @Test func invalidTagThrows() {
        #expect(throws: YAMLError.self) { try YAMLEmitter.emit(.string("x", tag: "")) }
    }

    @Test func duplicateKeyThrows() {
        let node = YAMLNode.mapping([YAMLPair("A", .null), YAMLPair("A", .null)])
        #expect(throws: YAMLError.self) { try YAMLEmitter.emit(node) }
    }

    @Test func nestingLimit() throws {
        var node = YAMLNode.string("x")
        for _ in 0..<256 {
            node = .sequence([node])
        }
        let text = try YAMLEmitter.emit(node)
        #expect(try YAMLParser.parse(text) == node)
        let tooDeep = YAMLNode.sequence([node])
        #expect(throws: YAMLError.self) { try YAMLEmitter.emit(tooDeep) }
    }
}
