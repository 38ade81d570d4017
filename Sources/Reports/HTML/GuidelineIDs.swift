import Rubric

/// The ids the page has words for.
enum GuidelineIDs {
    static let all = GuidelineID.allCases.map(\.rawValue)
    /// The built-in rubric's not-measurable items.
    static let notMeasurableItems = Rubric.builtIn.notMeasurable.map(\.id)
}
