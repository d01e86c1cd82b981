import Crypto
import FormworkRuntime
import Foundation

/// AWS credentials: an access key, its secret and, for temporary credentials (a Lambda
/// function's role), the session token.
public struct AWSCredentials: Sendable, Equatable {
    /// The access key id.
    public var accessKeyId: String
    /// The secret access key.
    public var secretAccessKey: String
    /// The session token of temporary credentials.
    public var sessionToken: String?

    /// Credentials.
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The credentials Lambda gives a function: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`
    /// and `AWS_SESSION_TOKEN`; nil when the first two are missing.
    public init?(environment: [String: String]) {
        guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty, let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else { return nil }
        self.init(accessKeyId: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// A request to sign: method, path and query as they go on the wire, headers, and body.
public struct SignableRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The path, as written in the request line (`/`, `/v2/email/outbound-emails`).
    public var path: String
    /// The query string without `?`, as written in the request line.
    public var query: String
    /// The headers, in order, names as written; a name may repeat.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: Data

    /// A request.
    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)], body: Data = Data()) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name`, compared without case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Signature Version 4 (`AWS4-HMAC-SHA256`) for one service in one region, as the AWS
/// reference describes it: a canonical request, a string to sign over its hash and the
/// credential scope, and a key derived from the secret by HMAC-SHA256 over date, region,
/// service and `aws4_request`.
public struct SigV4: Sendable {
    /// The signing parts of one request, kept for tests and for error messages.
    public struct Signature: Sendable, Equatable {
        /// The canonical request.
        public var canonicalRequest: String
        /// The string to sign.
        public var stringToSign: String
        /// The lowercase, sorted, `;`-joined names of the signed headers.
        public var signedHeaders: String
        /// The hex signature.
        public var signature: String
        /// The `Authorization` header's value.
        public var authorization: String
    }

    /// The credentials that sign.
    public var credentials: AWSCredentials
    /// The region (`us-east-1`).
    public var region: String
    /// The signing name of the service (`dynamodb`, `cognito-idp`, `sns`, `ses`, `ssm`).
    public var service: String

    /// A signer.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Adds `X-Amz-Date`, `X-Amz-Security-Token` (with temporary credentials) and
    /// `Authorization` to `request`, signed at `date`. The request must have a `Host` header.
    public func sign(_ request: inout SignableRequest, at date: Date) {
        request.headers.removeAll { ["authorization", "x-amz-date", "x-amz-security-token"].contains($0.name.lowercased()) }
        request.headers.append((name: "X-Amz-Date", value: Self.timestamp(date)))
        if let token = credentials.sessionToken { request.headers.append((name: "X-Amz-Security-Token", value: token)) }
        request.headers.append((name: "Authorization", value: signature(of: request).authorization))
    }

    /// The signature of `request` as it is, with its `X-Amz-Date` header giving the time.
    public func signature(of request: SignableRequest) -> Signature {
        let timestamp = request.header("X-Amz-Date") ?? ""
        let day = String(timestamp.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let headers = Self.canonicalHeaders(request.headers.filter { $0.name.lowercased() != "authorization" })
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            request.method.uppercased(), Self.canonicalPath(request.path), Self.canonicalQuery(request.query),
            headers.map { "\($0.name):\($0.value)\n" }.joined(), signedHeaders, Self.hex(SHA256.hash(data: request.body)),
        ].joined(separator: "\n")
        let stringToSign = ["AWS4-HMAC-SHA256", timestamp, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        return Signature(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signedHeaders: signedHeaders, signature: signature,
            authorization: "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)")
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func timestamp(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = seconds - days * 86_400
        let civil = CivilCalendar.date(fromDays: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(civil.year)\(two(civil.month))\(two(civil.day))T\(two(second / 3600))\(two(second / 60 % 60))\(two(second % 60))Z"
    }

    /// The path with `.` and `..` segments resolved and empty segments dropped, each segment
    /// percent-encoded (as written, decoded first, so an encoded path is not encoded twice).
    static func canonicalPath(_ path: String) -> String {
        var segments: [String] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(uriEncode(String(segment).removingPercentEncoding ?? String(segment)))
            }
        }
        let joined = "/" + segments.joined(separator: "/")
        return path.hasSuffix("/") && !segments.isEmpty ? joined + "/" : joined
    }

    /// The query's parameters encoded and sorted by name, then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { parameter -> (String, String) in
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func encoded(_ text: Substring?) -> String {
                let raw = String(text ?? "")
                return uriEncode(raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? raw)
            }
            return (encoded(parts.first), encoded(parts.count > 1 ? parts[1] : nil))
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Lowercase names, sorted; values trimmed with inner runs of spaces made one; a repeated
    /// name's values joined with commas, in order.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var values: [String: [String]] = [:]
        for header in headers {
            let value = header.value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
            values[header.name.lowercased(), default: []].append(value)
        }
        return values.keys.sorted().map { (name: $0, value: values[$0, default: []].joined(separator: ",")) }
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters.
    static func uriEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
