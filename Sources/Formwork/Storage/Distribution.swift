/// A CloudFront distribution serving a bucket through Origin Access Control, with HTTPS
/// redirect, security headers, SPA error handling and TLS 1.2 or later when a certificate is
/// given.
public struct Distribution: Resource, Taggable, LocatedSettings {
    public static let kind = ResourceKind.distribution
    public let name: String
    public let location: SourceLocation
    /// The origin bucket.
    public let origin: ResourceID
    let originDeclaredAt: SourceLocation
    /// The object served for `/`.
    public private(set) var defaultRootObject = "index.html"
    /// Whether 403 and 404 from the origin answer the root object with 200 (client-side routing).
    public private(set) var singlePageApp = false
    /// CloudFront's price class.
    public private(set) var priceClass = PriceClass.class100
    /// The caching policy of the default behaviour.
    public private(set) var cache = CacheSettings()
    /// Security headers added to every response.
    public private(set) var securityHeaders = SecurityHeaders()
    /// Where standard logs go.
    public private(set) var logging: (bucket: ResourceID, prefix: String, declaredAt: SourceLocation, at: SourceLocation)?
    /// The minimum TLS version used when a custom certificate is configured.
    public private(set) var minimumTLS = "TLSv1.2_2021"
    var settingLocations: [String: SourceLocation] = [:]

    /// Declares a distribution in front of `origin`.
    public init(
        _ name: String, origin: Bucket,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.origin = origin.id
        self.originDeclaredAt = origin.location
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    /// Sets the object served for `/`.
    public func defaultRootObject(_ object: String) -> Self { with { $0.defaultRootObject = object } }
    /// Answers 403/404 with the root object and status 200, for client-side routing.
    public func singlePageApp(_ on: Bool = true) -> Self { with { $0.singlePageApp = on } }
    /// Sets the price class.
    public func priceClass(_ priceClass: PriceClass) -> Self { with { $0.priceClass = priceClass } }
    /// Sets the default behaviour's cache TTLs (nil: the defaults).
    public func cache(
        _ settings: CacheSettings?,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Self {
        setting("cache", fileID, filePath, line, column) { $0.cache = settings ?? CacheSettings() }
    }
    /// Sets the security headers.
    public func securityHeaders(_ headers: SecurityHeaders) -> Self { with { $0.securityHeaders = headers } }
    /// Sends standard logs to a bucket (which must accept log deliveries); nil sends none.
    public func logs(
        to bucket: Bucket?, prefix: String,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) -> Self {
        with { copy in
            copy.logging = bucket.map {
                ($0.id, prefix, $0.location, SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column))
            }
        }
    }

    public var references: [Reference] {
        var refs = [Reference(target: origin, targetLocation: originDeclaredAt, purpose: "origin", location: location)]
        if let log = logging {
            refs.append(Reference(target: log.bucket, targetLocation: log.declaredAt, purpose: "logging", location: log.at))
        }
        return refs
    }

    public func validate() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let at = location(of: "cache")
        if cache.minimumTTL > cache.defaultTTL || cache.defaultTTL > cache.maximumTTL {
            problems.append(.error("distribution '\(name)': cache TTLs must satisfy minimum ≤ default ≤ maximum", at: at))
        }
        if defaultRootObject.hasPrefix("/") || defaultRootObject.isEmpty {
            problems.append(
                .error("distribution '\(name)': the default root object is an object key such as 'index.html', without a leading '/'", at: location))
        }
        return problems
    }
}

/// CloudFront price classes.
public enum PriceClass: String, Sendable, Hashable {
    case class100 = "PriceClass_100"
    case class200 = "PriceClass_200"
    case all = "PriceClass_All"
}

/// Cache TTLs of a distribution's default behaviour.
public struct CacheSettings: Sendable, Hashable {
    /// Lower bound.
    public var minimumTTL: TimeSpan
    /// Used when the origin sends no caching headers.
    public var defaultTTL: TimeSpan
    /// Upper bound.
    public var maximumTTL: TimeSpan

    /// Creates cache settings (defaults: 0 s, 1 day, 1 year).
    public init(minimumTTL: TimeSpan = .seconds(0), defaultTTL: TimeSpan = .days(1), maximumTTL: TimeSpan = .days(365)) {
        self.minimumTTL = minimumTTL
        self.defaultTTL = defaultTTL
        self.maximumTTL = maximumTTL
    }
}

/// Security headers added by the distribution's response-headers policy.
public struct SecurityHeaders: Sendable, Hashable {
    /// `Content-Security-Policy`.
    public var contentSecurityPolicy: String
    /// `Strict-Transport-Security` max-age.
    public var hstsMaxAge: TimeSpan
    /// `Referrer-Policy`.
    public var referrerPolicy: String
    /// `X-Frame-Options`.
    public var frameOptions: String
    /// Whether HSTS covers subdomains and asks to be preloaded.
    public var hstsIncludeSubdomainsAndPreload = true
    /// Whether browsers' XSS filter is asked to block (`X-XSS-Protection: 1; mode=block`).
    public var xssProtectionBlocks = true

    /// Strict defaults: same-origin content, HSTS for two years with subdomains and preload,
    /// frames denied, no referrer across origins.
    public init(
        contentSecurityPolicy: String = "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'",
        hstsMaxAge: TimeSpan = .days(730),
        referrerPolicy: String = "strict-origin-when-cross-origin",
        frameOptions: String = "DENY"
    ) {
        self.contentSecurityPolicy = contentSecurityPolicy
        self.hstsMaxAge = hstsMaxAge
        self.referrerPolicy = referrerPolicy
        self.frameOptions = frameOptions
    }

    /// The response headers these settings add to every answer, as browsers receive them.
    public var httpHeaders: [(name: String, value: String)] {
        [
            ("Strict-Transport-Security", "max-age=\(hstsMaxAge.seconds)" + (hstsIncludeSubdomainsAndPreload ? "; includeSubDomains; preload" : "")),
            ("Content-Security-Policy", contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", frameOptions),
            ("Referrer-Policy", referrerPolicy),
            ("X-XSS-Protection", xssProtectionBlocks ? "1; mode=block" : "1"),
        ]
    }
}
