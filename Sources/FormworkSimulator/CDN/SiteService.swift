import CompressNIO
import Crypto
import Formwork
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The distribution of the model in front of its bucket's site folder, with CloudFront's
/// behaviour: the default root object, the single-page-app error mapping, the response-headers
/// policy's security headers, ETags and `304`, gzip for compressible types, and a
/// `/config.json` generated from the model for the web app. Served at the host's root.
public final class SiteService: Sendable {
    let distribution: Distribution
    /// The folder the bucket's content comes from.
    public let folder: URL
    let config: @Sendable () -> [String: String]

    /// CloudFront compresses objects of 1,000 bytes to 10 MB.
    static let compressibleSizes = 1_000...10_000_000
    static let compressibleTypes: Set<String> = [
        "text/html", "text/css", "application/javascript", "application/json", "image/svg+xml", "text/plain", "text/xml",
    ]

    /// The site of `distribution`, from `folder`; `config` is what `/config.json` answers.
    init(distribution: Distribution, folder: URL, config: @escaping @Sendable () -> [String: String]) {
        self.distribution = distribution
        self.folder = folder.standardizedFileURL
        self.config = config
    }

    /// The distribution of `architecture` whose origin bucket has site content, if any; its
    /// folder is read relative to `root`.
    static func make(architecture: Architecture, root: URL, config: @escaping @Sendable () -> [String: String]) -> SiteService? {
        for distribution in architecture.resources(of: Distribution.self) {
            guard let bucket = architecture.resolve(distribution.origin, as: Bucket.self), let directory = bucket.contentDirectory else {
                continue
            }
            return SiteService(distribution: distribution, folder: root.appendingPathComponent(directory), config: config)
        }
        return nil
    }

    /// An answer of the distribution.
    struct Answer {
        var status: Int
        var headers: [(String, String)]
        var body: Data
    }

    /// Answers a `GET` or `HEAD` of `path` with the request's headers.
    func answer(path: String, headers: HTTPFields) -> Answer {
        var answer = object(at: path)
        if let etag = answer.headers.first(where: { $0.0 == "ETag" })?.1, answer.status == 200,
            let condition = headers[.ifNoneMatch], condition.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag })
        {
            answer = Answer(status: 304, headers: answer.headers.filter { $0.0 != "Content-Type" }, body: Data())
        } else if answer.status == 200, acceptsGzip(headers), Self.compressibleSizes.contains(answer.body.count),
            let type = answer.headers.first(where: { $0.0 == "Content-Type" })?.1.split(separator: ";").first.map(String.init),
            Self.compressibleTypes.contains(type), let compressed = Self.gzip(answer.body)
        {
            answer.body = compressed
            answer.headers.append(("Content-Encoding", "gzip"))
        }
        answer.headers.append(("Vary", "Accept-Encoding"))
        answer.headers += distribution.securityHeaders.httpHeaders.map { ($0.name, $0.value) }
        answer.headers.append(("Via", "1.1 formwork (CloudFront)"))
        answer.headers.append(("X-Cache", "Miss from cloudfront"))
        return answer
    }

    private func acceptsGzip(_ headers: HTTPFields) -> Bool {
        (headers[.acceptEncoding] ?? "").split(separator: ",").contains { $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) == "gzip" }
    }

    /// The object at `path`, the generated configuration, or the error the distribution maps.
    private func object(at path: String) -> Answer {
        if path == "/config.json" {
            let body = JSONBody.data(config())
            return Answer(status: 200, headers: Self.objectHeaders(body, type: "application/json", cacheControl: "no-cache"), body: body)
        }
        let key = path == "/" || path.isEmpty ? distribution.defaultRootObject : String(path.drop { $0 == "/" })
        if let (body, type) = read(key) {
            let cacheControl = key == distribution.defaultRootObject ? "no-cache" : "max-age=\(distribution.cache.defaultTTL.seconds)"
            return Answer(status: 200, headers: Self.objectHeaders(body, type: type, cacheControl: cacheControl), body: body)
        }
        if distribution.singlePageApp, let (body, type) = read(distribution.defaultRootObject) {
            return Answer(status: 200, headers: Self.objectHeaders(body, type: type, cacheControl: "no-cache"), body: body)
        }
        let body = Data(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>".utf8)
        return Answer(status: 403, headers: [("Content-Type", "application/xml")], body: body)
    }

    /// The file for an object key, when it lies inside the site folder.
    private func read(_ key: String) -> (Data, String)? {
        let decoded = key.removingPercentEncoding ?? key
        guard !decoded.contains("\0"), !decoded.split(separator: "/").contains("..") else { return nil }
        let file = folder.appendingPathComponent(decoded).standardizedFileURL.resolvingSymlinksInPath()
        let base = folder.resolvingSymlinksInPath().path
        guard file.path.hasPrefix(base + "/") else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: file.path)
        else { return nil }
        return (data, Self.mimeType(of: file.pathExtension))
    }

    static func objectHeaders(_ body: Data, type: String, cacheControl: String) -> [(String, String)] {
        let etag = "\"" + Insecure.MD5.hash(data: body).map { String(format: "%02x", $0) }.joined() + "\""
        return [("Content-Type", type), ("ETag", etag), ("Cache-Control", cacheControl)]
    }

    static func mimeType(of pathExtension: String) -> String {
        switch pathExtension.lowercased() {
        case "html", "htm": "text/html"
        case "css": "text/css"
        case "js", "mjs": "application/javascript"
        case "json", "map": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "gif": "image/gif"
        case "webp": "image/webp"
        case "ico": "image/x-icon"
        case "txt": "text/plain"
        case "xml": "text/xml"
        case "woff": "font/woff"
        case "woff2": "font/woff2"
        case "wasm": "application/wasm"
        default: "application/octet-stream"
        }
    }

    static func gzip(_ data: Data) -> Data? {
        var buffer = ByteBuffer(bytes: data)
        guard let compressed = try? buffer.compress(with: .gzip()) else { return nil }
        return Data(buffer: compressed)
    }
}

extension SiteService: SimulatedService {
    /// Answers a `GET` or `HEAD` that no other service took.
    func respond(to request: Request) -> Response {
        let answer = self.answer(path: request.uri.path, headers: request.headers)
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        let body = request.method == .head ? ByteBuffer() : ByteBuffer(bytes: answer.body)
        if request.method == .head { headers[.contentLength] = String(answer.body.count) }
        return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: body))
    }
}
