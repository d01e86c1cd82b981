/// AWS naming rules for physical names, checked before anything is deployed.
public enum NameRules {
    /// CloudFormation logical IDs: 1–255 ASCII letters and digits.
    public static func isValidLogicalID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 255 && id.unicodeScalars.allSatisfy { isASCIILetterOrDigit($0) }
    }

    /// S3 bucket names: 3–63 characters of lowercase letters, digits, dots and hyphens, starting
    /// and ending with a letter or digit, no `..`, not shaped like an IP address, no reserved
    /// prefixes or suffixes.
    public static func bucketNameProblem(_ name: String) -> String? {
        if name.count < 3 || name.count > 63 { return "must be 3 to 63 characters long" }
        let allowed = name.unicodeScalars.allSatisfy { isLowerOrDigit($0) || $0 == "." || $0 == "-" }
        if !allowed { return "may contain only lowercase letters, digits, '.' and '-'" }
        guard let first = name.unicodeScalars.first, let last = name.unicodeScalars.last,
            isLowerOrDigit(first), isLowerOrDigit(last)
        else { return "must start and end with a lowercase letter or digit" }
        if name.contains("..") { return "must not contain two adjacent periods" }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
            return "must not be formatted as an IP address"
        }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(prefix) {
            return "must not start with '\(prefix)'"
        }
        for suffix in ["-s3alias", "--ol-s3", "--x-s3", "--table-s3"] where name.hasSuffix(suffix) {
            return "must not end with '\(suffix)'"
        }
        return nil
    }

    /// DynamoDB table and index names: 3–255 of letters, digits, `_`, `-`, `.`.
    public static func tableNameProblem(_ name: String) -> String? {
        if name.count < 3 || name.count > 255 { return "must be 3 to 255 characters long" }
        if !name.unicodeScalars.allSatisfy({ isASCIILetterOrDigit($0) || "_-.".unicodeScalars.contains($0) }) {
            return "may contain only letters, digits, '_', '-' and '.'"
        }
        return nil
    }

    /// Lambda function names: 1–64 of letters, digits, `-`, `_`.
    public static func functionNameProblem(_ name: String) -> String? {
        if name.isEmpty || name.count > 64 { return "must be 1 to 64 characters long" }
        if !name.unicodeScalars.allSatisfy({ isASCIILetterOrDigit($0) || $0 == "-" || $0 == "_" }) {
            return "may contain only letters, digits, '-' and '_'"
        }
        return nil
    }

    /// SNS topic names: 1–256 of letters, digits, `-`, `_` (FIFO topics end in `.fifo`).
    public static func topicNameProblem(_ name: String) -> String? {
        let base = name.hasSuffix(".fifo") ? String(name.dropLast(5)) : name
        if base.isEmpty || name.count > 256 { return "must be 1 to 256 characters long" }
        if !base.unicodeScalars.allSatisfy({ isASCIILetterOrDigit($0) || $0 == "-" || $0 == "_" }) {
            return "may contain only letters, digits, '-' and '_'"
        }
        return nil
    }

    /// Names of user pools, web ACLs, IP sets, alarms and similar: 1–`limit` characters from a set.
    public static func simpleNameProblem(_ name: String, limit: Int, extra: String) -> String? {
        if name.isEmpty || name.count > limit { return "must be 1 to \(limit) characters long" }
        if !name.unicodeScalars.allSatisfy({ isASCIILetterOrDigit($0) || extra.unicodeScalars.contains($0) }) {
            return "may contain only letters, digits and '\(extra)'"
        }
        return nil
    }

    /// KMS alias names (without `alias/`).
    public static func isValidKMSAlias(_ alias: String) -> Bool {
        !alias.isEmpty && alias.count <= 250 && !alias.hasPrefix("aws/")
            && alias.unicodeScalars.allSatisfy { isASCIILetterOrDigit($0) || "/_-".unicodeScalars.contains($0) }
    }

    static func isASCIILetterOrDigit(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)
    }

    static func isLowerOrDigit(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("0"..."9").contains(s)
    }
}
