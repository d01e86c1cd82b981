/// An SSM parameter holding per-environment configuration.
public struct Parameter: Resource, Taggable {
    public static let kind = ResourceKind.parameter
    public let name: String
    public let location: SourceLocation
    /// The parameter's path, such as `/taskmgmt/prod/reminder-window-hours`.
    public let path: String
    /// The value.
    public let value: String
    /// What it configures.
    public let summary: String

    /// Declares a parameter.
    public init(
        _ name: String, path: String, value: String, summary: String = "",
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.path = path
        self.value = value
        self.summary = summary
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    public func validate() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let allowed = path.unicodeScalars.allSatisfy { NameRules.isASCIILetterOrDigit($0) || "_.-/".unicodeScalars.contains($0) }
        if !path.hasPrefix("/") || !allowed || path.count > 1011 || path.lowercased().hasPrefix("/aws") || path.lowercased().hasPrefix("/ssm") {
            problems.append(
                .error(
                    "parameter '\(name)': path '\(path)' must start with '/', use letters, digits, '_', '.', '-' and '/', and not start with /aws or /ssm",
                    at: location))
        }
        if value.isEmpty || value.utf8.count > 4096 {
            problems.append(.error("parameter '\(name)': a standard parameter's value must be 1 to 4096 bytes", at: location))
        }
        return problems
    }
}

/// A CloudTrail trail writing to a bucket, with log file validation.
public struct Trail: Resource, Taggable {
    public static let kind = ResourceKind.trail
    public let name: String
    public let location: SourceLocation
    /// The bucket receiving the log files.
    public let bucket: ResourceID
    let bucketDeclaredAt: SourceLocation
    /// The physical trail name.
    public let trailName: String
    /// Whether the trail records every region.
    public private(set) var multiRegion = true
    /// How log files are encrypted.
    public private(set) var encryption = Encryption.serviceManaged
    private var encryptionAt: SourceLocation?

    /// Declares a trail.
    public init(
        _ name: String, trailName: String, bucket: Bucket,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.trailName = trailName
        self.bucket = bucket.id
        self.bucketDeclaredAt = bucket.location
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    /// Records one region only, or all.
    public func multiRegion(_ on: Bool) -> Self { with { $0.multiRegion = on } }
    /// Encrypts log files with a key.
    public func encryption(_ encryption: Encryption, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) -> Self {
        with {
            $0.encryption = encryption
            $0.encryptionAt = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
        }
    }

    public var references: [Reference] {
        var refs = [Reference(target: bucket, targetLocation: bucketDeclaredAt, purpose: "trail bucket", location: location)]
        if let ref = encryption.reference(purpose: "encryption", at: encryptionAt ?? location) { refs.append(ref) }
        return refs
    }

    public func validate() -> [Diagnostic] {
        NameRules.simpleNameProblem(trailName, limit: 128, extra: "-_.").map {
            [.error("trail name '\(trailName)' \($0)", at: location)]
        } ?? []
    }
}

/// A monthly AWS Budgets cost budget that e-mails when actual spend passes a share of it.
public struct Budget: Resource, Taggable {
    public static let kind = ResourceKind.budget
    public let name: String
    public let location: SourceLocation
    /// The physical budget name.
    public let budgetName: String
    /// The monthly limit in US dollars.
    public let monthlyLimitUSD: Int
    /// The alert threshold, percent of the limit.
    public let alertPercent: Int
    /// Who is e-mailed.
    public let alertEmail: String

    /// Declares a budget.
    public init(
        _ name: String, budgetName: String, monthlyLimitUSD: Int, alertAtPercent: Int = 80, email: String,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.budgetName = budgetName
        self.monthlyLimitUSD = monthlyLimitUSD
        self.alertPercent = alertAtPercent
        self.alertEmail = email
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    public func validate() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if monthlyLimitUSD <= 0 { problems.append(.error("budget '\(name)': the monthly limit must be positive", at: location)) }
        if !(1...1000).contains(alertPercent) { problems.append(.error("budget '\(name)': the alert threshold must be 1 to 1000 percent", at: location)) }
        if !alertEmail.contains("@") { problems.append(.error("budget '\(name)': '\(alertEmail)' is not an e-mail address", at: location)) }
        return problems
    }
}
