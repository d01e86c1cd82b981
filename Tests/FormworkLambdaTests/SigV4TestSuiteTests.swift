import FormworkLambda
import Foundation
import Testing

/// AWS's Signature Version 4 test suite (Fixtures/aws4_testsuite, Apache 2.0, see its NOTICE):
/// each case is a request (`.req`) with the canonical request (`.creq`), the string to sign
/// (`.sts`) and the `Authorization` header (`.authz`) AWS publishes for it.
@Suite("SigV4: AWS's published test suite")
struct SigV4TestSuiteTests {
    static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let suite = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/aws4_testsuite")
    /// The token the session-token case signs (its `.creq` names it; its `.req` does not).
    static let sessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"

    /// Every case: a folder holding `<name>.req`.
    static let cases: [String] = {
        let enumerator = FileManager.default.enumerator(at: suite, includingPropertiesForKeys: nil)
        var names: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "req" { names.append(url.deletingPathExtension().path.replacingOccurrences(of: suite.path + "/", with: "")) }
        }
        return names.sorted()
    }()

    @Test("the suite is all here")
    func complete() {
        #expect(Self.cases.count == 34, "\(Self.cases)")
    }

    @Test("canonical request, string to sign and Authorization match", arguments: cases)
    func vector(_ name: String) throws {
        var request = try Self.request(name)
        if name.hasSuffix("get-vanilla-with-session-token") {
            request.headers.append((name: "X-Amz-Security-Token", value: Self.sessionToken))
        }
        let signature = SigV4(credentials: Self.credentials, region: "us-east-1", service: "service").signature(of: request)
        #expect(signature.canonicalRequest == (try Self.expected(name, "creq")))
        #expect(signature.stringToSign == (try Self.expected(name, "sts")))
        #expect(signature.authorization == (try Self.expected(name, "authz")))
    }

    @Test("sign adds the date, the token and the Authorization the suite gives")
    func signing() throws {
        let moment = try #require(ISO8601DateFormatter().date(from: "2015-08-30T12:36:00Z"))
        var request = SignableRequest(method: "GET", path: "/", headers: [(name: "Host", value: "example.amazonaws.com")])
        var withToken = request
        SigV4(credentials: Self.credentials, region: "us-east-1", service: "service").sign(&request, at: moment)
        #expect(request.header("X-Amz-Date") == "20150830T123600Z")
        #expect(request.header("Authorization") == (try Self.expected("get-vanilla/get-vanilla", "authz")))
        var temporary = Self.credentials
        temporary.sessionToken = Self.sessionToken
        SigV4(credentials: temporary, region: "us-east-1", service: "service").sign(&withToken, at: moment)
        #expect(withToken.header("X-Amz-Security-Token") == Self.sessionToken)
        #expect(withToken.header("Authorization") == (try Self.expected("get-vanilla-with-session-token/get-vanilla-with-session-token", "authz")))
    }

    /// A `.req` file: the request line, headers (a line starting with a space continues the
    /// previous header), a blank line and the body.
    static func request(_ name: String) throws -> SignableRequest {
        let text = try String(contentsOf: suite.appendingPathComponent(name + ".req"), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        let target = requestLine.dropFirst().dropLast().joined(separator: " ")
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var headers: [(name: String, value: String)] = []
        while let line = lines.first, !line.isEmpty {
            lines.removeFirst()
            if line.first == " ", let last = headers.popLast() {
                headers.append((last.name, last.value + " " + line.trimmingCharacters(in: .whitespaces)))
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let body = lines.dropFirst().joined(separator: "\n")
        return SignableRequest(
            method: String(requestLine[0]), path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "", headers: headers,
            body: Data(body.utf8))
    }

    static func expected(_ name: String, _ kind: String) throws -> String {
        try String(contentsOf: suite.appendingPathComponent("\(name).\(kind)"), encoding: .utf8)
    }
}
