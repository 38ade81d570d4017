import SpeechAnalysis

extension CallAnalyzer {
    /// Adds the agent's filled pauses and, with two channels, the calm measure to `conversation`.
    static func addProsody(_ conversation: inout Conversation, agent: ChannelAnalysis, customer: ChannelAnalysis?,
                           options: AnalysisOptions) {
        if let steadiness = agent.steadySpectrum {
            conversation.filledPauses = FilledPauseDetector.detect(
                contours: agent.contours, pitch: agent.pitchTrack, steadiness: steadiness, speech: agent.activity.segments,
                otherSpeech: customer?.activity.segments, settings: options.filledPauses).rounded()
        }
        guard let customer else {
            conversation.notMeasurable = (conversation.notMeasurable ?? [:]).merging(
                ["calm": "mono recording: the customer's voice is not on its own channel"]) { a, _ in a }
            return
        }
        conversation.calm = ArousalMirroring.measure(
            agentContours: agent.contours, agentPitch: agent.pitchTrack,
            agentUnits: Segment.interPauseUnits(agent.activity.segments, pauses: options.pauses),
            customerContours: customer.contours, customerPitch: customer.pitchTrack,
            customerUnits: Segment.interPauseUnits(customer.activity.segments, pauses: options.pauses),
            settings: options.calm).rounded()
    }
}
