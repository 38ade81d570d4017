/// Version of the measurements. Bump it with any change that alters a measured value (a constant,
/// a rule, a decoder setting): batch audits key stored analyses by it, so a bump makes the next
/// `voiceqa audit run` analyse every file again. Written into the JSON as `analysisVersion`.
///
/// 2: dense speech, rings (issue 17). 3: a short spurt the other party talks on after within 1 s is a
/// backchannel, not an interruption; filled pauses must stand alone (issue 17). 4: the syllable
/// envelope's smoothing follows the speaker's rate, so fast speech keeps its syllables; a
/// backchannel made in the other party's pause may be talked over by that party resuming, and the
/// one resuming interrupts nobody (issue 17). 5: /i/-shaped frames count towards syllable nuclei, and
/// their 2.2–3.8 kHz side is judged on the strongest band, which the telephone band keeps (issue 17). 6:
/// steady tones (ring-back) are left out of the pitch tracker's speaker range (issue 17). 7: a frame
/// far under the other party is leakage only if its own sound would miss the level gates (issue 17:
/// quiet backchannels under the customer's speech). 8: a backchannel does not make its speaker
/// "already talking", so a second backchannel less than 1 s after one is a backchannel too, and the
/// other party going on under it interrupts nobody (issue 17). 9: steady tones (ring-back) are left out of
/// the pitch tracker's silence reference too, so a ring louder than the voice no longer turns the
/// voice's quietest voiced frames unvoiced (issue 17). 10: a frame whose bands shared with
/// the other party are too few for the copy test is leakage if its own sound would miss the level
/// gates, and a frame showing nothing but the other party, held on by the hysteresis in a stretch
/// with leakage and no onset of the channel's own, is leakage too, so customer echo no longer
/// makes agent backchannels (issue 17). 11: a Japanese interval between two syllable nuclei adds at
/// most 2 morae, so silence inside an inter-pause unit no longer counts as morae (issue 17).
/// 12: where the noise is steady (hum, white, pink, line
/// floor) speech starts at a 3 dB lower score, so soft syllables under steady noise are found; a
/// stretch started under the full onset is treated like one leakage started, and a frame the level
/// or tone gates drop ends an onset of the channel's own, so the other party's echo after one frame
/// the copy test missed is no longer kept as this channel's speech (issue 17). 13: the syllable
/// nucleus threshold follows the speaker's level over ±5 s (at most 20 dB under the channel's), so a
/// quieter stretch of a call keeps its weaker vowels (issue 17). 14: the pitch tracker's second pass
/// charges no speaker-range cost on frames the first pass glided to above the range's ceiling from
/// inside it (steps ≤ 1.5 st per 10 ms), for candidates within 1 st of the first pass, so real rises
/// of a voice whose two pitch modes straddle the ceiling are no longer halved (issue 17). 15: a filled
/// pause may last up to 2 s (an "um" can hold its nasal), the silence after it is judged on frames
/// the level gate passes, and a run whose F0 spreads under 0.1 st (a pure tone, no voice) is not one
/// (issue 17). 16: the pitch tracker's speaker range reads its third quartile at most an octave
/// above the median, so a low voice whose first pass locks onto upper harmonics through the
/// telephone band on a quarter of its frames keeps a range its second pass can correct (issue 17).
public enum AnalysisVersion {
    public static let current = 16
}
