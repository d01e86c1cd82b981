import FormworkRuntime
import Testing

@Suite("CognitoGroups")
struct CognitoGroupsTests {
    @Test(
        "parses both forms AWS sends",
        arguments: [
            ("Admin,TeamMember", ["Admin", "TeamMember"]),
            ("[Admin TeamMember]", ["Admin", "TeamMember"]),
            ("Admin", ["Admin"]),
            ("[Admin]", ["Admin"]),
            (" Admin , TeamMember ", ["Admin", "TeamMember"]),
            ("[Admin, TeamMember]", ["Admin", "TeamMember"]),
            (#"["Admin","TeamMember"]"#, ["Admin", "TeamMember"]),
            ("Admin,Admin,TeamMember", ["Admin", "TeamMember"]),
            ("us-east-1_Ab12Cd34E_Google,Admin", ["us-east-1_Ab12Cd34E_Google", "Admin"]),
            ("", []),
            ("[]", []),
            (",,", []),
        ])
    func parses(claim: String, groups: [String]) {
        #expect(CognitoGroups.parse(claim) == groups)
    }
}
