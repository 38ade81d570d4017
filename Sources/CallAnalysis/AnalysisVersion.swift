/// Version of the measurements. Bump it with any change that alters a measured value (a constant,
/// a rule, a decoder setting): batch audits key stored analyses by it, so a bump makes the next
/// `voiceqa audit run` analyse every file again. Written into the JSON as `analysisVersion`.
public enum AnalysisVersion {
    public static let current = 3
}
