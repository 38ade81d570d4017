// The built-in rubric (JSON, the format `--rubric FILE` takes). It lives in the binary, not in a
// resource bundle, so an installed `voiceqa` needs no files beside it. Edit it here; RubricTests
// parse it and check every guideline of GUIDELINES.md is present.

extension Rubric {
    /// The built-in rubric of `version`: the current one, or an earlier one the binary still knows
    /// (for reports stored without their thresholds); nil for any other version.
    /// Thresholds as in that version (texts are the current ones): voiceqa-rubric/1.1.0 differs from
    /// 1.2.0 in short-sentences, without the pause checks (their thresholds absent); 1.0.0 from 1.1.0
    /// in slightly-slow, a flat band instead of the target.
    public static func builtIn(version: String) -> Rubric? {
        if version == builtIn.rubricVersion { return builtIn }
        guard version == "voiceqa-rubric/1.1.0" || version == "voiceqa-rubric/1.0.0",
              let i = builtIn.guidelines.firstIndex(where: { $0.id == .slightlySlow }),
              let k = builtIn.guidelines.firstIndex(where: { $0.id == .shortSentences }) else { return nil }
        var r = builtIn
        r.rubricVersion = version
        let pauseNames = Set((ThresholdRules.optional[.shortSentences] ?? []).flatMap { $0 })
        r.guidelines[k].thresholds = r.guidelines[k].thresholds.mapValues { $0.filter { !pauseNames.contains($0.key) } }
        if version == "voiceqa-rubric/1.1.0" { return r }
        r.guidelines[i].thresholds = [
            "en": ["ratePassMinPerSecond": 3.71, "ratePassMaxPerSecond": 5.57, "rateFailBelowPerSecond": 2.79, "rateFailAbovePerSecond": 6.81],
            "zh": ["ratePassMinPerSecond": 3.11, "ratePassMaxPerSecond": 4.66, "rateFailBelowPerSecond": 2.33, "rateFailAbovePerSecond": 5.70],
            "ja": ["ratePassMinPerSecond": 4.70, "ratePassMaxPerSecond": 7.06, "rateFailBelowPerSecond": 3.53, "rateFailAbovePerSecond": 8.62],
        ]
        return r
    }

    /// The built-in rubric's text, as `voiceqa rubric show` prints it.
    public static let builtInText: String = #"""
{
  "rubricVersion": "voiceqa-rubric/1.2.0",
  "defaultLanguage": "zh",
  "about": "Built-in rubric of VoiceQA. One entry per guideline id of GUIDELINES.md. Thresholds: a 'default' block applies to every language; a 'zh', 'ja' or 'en' block overrides single values. Scores: 100 at or beyond the pass value, 0 at or beyond the fail value, linear in between (verdict warn); slightly-slow instead scores the distance from a target rate and has its own verdict cut-offs (see its rationale). Quotes from 003 are given without the file's inline pinyin annotations.",
  "guidelines": [
    {
      "id": "clear",
      "source": {"document": "000_53237e0a6371eb1a.txt", "quote": "说话清晰且语速稍慢"},
      "alsoIn": [{"document": "001_832852226712061c.txt", "quote": "発音がはっきりしている"}, {"document": "004_01e935c29edbf448.txt", "quote": "语音应清晰平稳"}],
      "measures": ["channels[agent].loudness.snrDB", "channels[agent].loudness.clippedSampleRatio"],
      "thresholds": {"default": {"snrPassDB": 20, "snrFailDB": 10, "clippedPassRatio": 0.001, "clippedFailRatio": 0.01}},
      "weight": 1,
      "rationale": "SNR ≥ 20 dB good, < 10 dB poor and clipping < 0.1 % of active speech are the suggested defaults of GUIDELINES.md; no published call-centre norm was found: project choice. Spectral balance is not yet judged.",
      "tips": {
        "zh": "您的声音不够清晰:请在安静的环境中通话,检查耳麦,避免话筒过近造成爆音。",
        "ja": "声がはっきり届いていません。静かな場所で話し、ヘッドセットを確認し、マイクが近すぎて音が割れないようにしましょう。",
        "en": "Your voice is not coming through clearly: take calls somewhere quiet, check the headset, and keep the microphone from clipping."
      }
    },
    {
      "id": "slightly-slow",
      "source": {"document": "000_53237e0a6371eb1a.txt", "quote": "说话清晰且语速稍慢"},
      "alsoIn": [{"document": "004_01e935c29edbf448.txt", "quote": "语速适中"}, {"document": "001_832852226712061c.txt", "quote": "語速:スピードがいいです"}],
      "measures": ["channels[agent].rate.articulationRateSyllablesPerSecond", "channels[agent].rate.articulationRateMoraePerSecond (ja)"],
      "thresholds": {
        "default": {"targetRatio": 0.85, "fullScoreWithinPercent": 5, "zeroScoreBeyondPercent": 35, "passMinScore": 80, "failBelowScore": 40},
        "en": {"normPerSecond": 6.19},
        "zh": {"normPerSecond": 5.18},
        "ja": {"normPerSecond": 7.84}
      },
      "weight": 1,
      "rationale": "Norms (normPerSecond): read-speech syllable rates en 6.19, zh 5.18, ja 7.84 per second, silences over 150 ms removed (Pellegrino, Coupé & Marsico 2011, Language 87(3)); Japanese is judged in morae (whether 7.84 counts morae is unconfirmed). 'Slightly slow' is 10–20 % below the norm (GUIDELINES.md), so the target is 0.85 × the norm (targetRatio): en 5.26, zh 4.40, ja 6.66 per second. The score is the distance from the target in percent of it: 100 within ± 5 % (fullScoreWithinPercent; 0.81–0.89 × the norm, the 10–20 % band itself), falling linearly to 0 at ± 35 % (zeroScoreBeyondPercent); pass from 80 points (passMinScore: within ± 11 %, about one just-noticeable tempo difference of ≈ 10 %, Quené 2007), fail below 40 (failBelowScore: beyond ± 23 %, more than two JNDs; on the fast side that is 1.05 × the norm, faster than normal speech). The ± 35 % zero line and the score cut-offs are a project choice. Caveats: our phonation time keeps pauses under 0.25 s (the norm removes silences over 150 ms), which lowers measured rates a little; the nucleus counter under-counts fast speech (a reading made 35 % faster measures about 18–23 % faster), so fast agents are judged leniently; 5.3–6.0 morae/s, rated close to ideal for non-native listeners (Prafiyanto et al. 2018, Acoust. Sci. & Tech. 39(2)), lies 10–20 % under the ja target. Rubric 1.0 files (ratePassMinPerSecond, ratePassMaxPerSecond, rateFailBelowPerSecond, rateFailAbovePerSecond: a flat band) are still read and judged as before.",
      "tips": {
        "zh": "语速应比日常说话稍慢:偏快时请放慢一点,句与句之间稍作停顿,让客户跟得上;偏慢时可稍微加快,保持自然流畅。",
        "ja": "普段の会話より少しゆっくりが目安です。速いときは少しゆっくり、文の区切りで間を取りましょう。遅すぎるときは少しテンポを上げ、自然な流れを保ちましょう。",
        "en": "Aim for slightly slower than everyday speech: if you are rushing, slow down and pause between sentences so the customer can follow; if you are dragging, pick up the pace a little and keep it natural."
      }
    },
    {
      "id": "warm",
      "source": {"document": "000_53237e0a6371eb1a.txt", "quote": "微笑及热情的音调"},
      "alsoIn": [{"document": "001_832852226712061c.txt", "quote": "お客様の声に微笑を感じさせます"}, {"document": "004_01e935c29edbf448.txt", "quote": "通过语调传递友善与热情,但需避免过度情绪化"}],
      "measures": ["channels[agent].pitch.stdevSemitones"],
      "thresholds": {
        "default": {"spreadPassMinSemitones": 2.5, "spreadFailBelowSemitones": 1.5, "spreadPassMaxSemitones": 6, "spreadFailAboveSemitones": 8},
        "zh": {"spreadPassMinSemitones": 3.0, "spreadFailBelowSemitones": 2.0, "spreadPassMaxSemitones": 7, "spreadFailAboveSemitones": 9}
      },
      "weight": 1,
      "rationale": "Pitch spread in semitones around the speaker's own level, comparable across voices (Traunmüller & Eriksson 1995, JASA 97:1905). The ~1.5 st monotone line of GUIDELINES.md is unsourced: project choice. Tone languages have a larger F0 spread (Traunmüller & Eriksson), so zh thresholds are 0.5–1 st higher (project choice). The upper band (over-emotional, 004) is a project choice.",
      "tips": {
        "zh": "语调偏平:带着微笑说话,让语调有起伏,但不要过度情绪化。",
        "ja": "声の抑揚が少なめです。笑顔で話し、声に表情をつけましょう(ただし感情的になりすぎないように)。",
        "en": "Your intonation sounds flat: smile while you talk and let your pitch move, without overdoing it."
      }
    },
    {
      "id": "greeting-rises",
      "source": {"document": "003_f844289fbf4b3c3c.txt", "quote": "語調稍微上揚,將我們的熱情、朝氣傳遞給客戶"},
      "measures": ["channels[agent].pitch.greeting.riseSemitones", "channels[agent].pitch.greeting.meanSemitonesReMedian"],
      "thresholds": {"default": {"risePassSemitones": 1.0, "riseFailSemitones": -1.0, "raisedPassSemitones": 1.0, "raisedFailSemitones": -1.0}},
      "weight": 0.5,
      "rationale": "A rise of about 1–2 st over the greeting, or a greeting pitched above the agent's call median (GUIDELINES.md); the pass line is the lower end, a falling greeting (−1 st) fails: project choice. Either the rise or the raised level passes.",
      "tips": {
        "zh": "开场问候时语调稍微上扬,把热情和朝气传递给客户。",
        "ja": "最初のあいさつは語尾を少し上げ、明るさと元気を伝えましょう。",
        "en": "Let your greeting lift a little at the end so it sounds warm and energetic."
      }
    },
    {
      "id": "moderate-volume",
      "source": {"document": "004_01e935c29edbf448.txt", "quote": "避免过高或过低的音量"},
      "alsoIn": [{"document": "000_53237e0a6371eb1a.txt", "quote": "将话筒靠近嘴边"}, {"document": "004_01e935c29edbf448.txt", "quote": "保持适中的音量与语速"}],
      "measures": ["channels[agent].loudness.activeSpeechLevelDBov", "channels[agent].loudness.activeSpeechLevelByThirdDBov"],
      "thresholds": {"default": {"targetDBov": -26, "passWithinDB": 6, "failBeyondDB": 12, "driftPassDB": 6, "driftFailDB": 12}},
      "weight": 1,
      "rationale": "−26 dBov active speech level is the usual telephony normalisation target (ITU-T P.56 / G.191 sv56 practice); ±6 dB matches the AGC tolerance around the nominal level in RFC 7874 §4. Fail beyond ±12 dB and drift limits between thirds of the call are a project choice.",
      "tips": {
        "zh": "音量不合适:请保持适中的音量,话筒放在嘴边约两指远,整通电话音量保持一致。",
        "ja": "声の大きさが適切ではありません。マイクを口元に近づけ、通話を通して同じくらいの音量で話しましょう。",
        "en": "Your volume is off: keep the microphone close to your mouth and speak at an even, moderate level throughout."
      }
    },
    {
      "id": "short-sentences",
      "source": {"document": "000_53237e0a6371eb1a.txt", "quote": "运用短句并注意停顿"},
      "alsoIn": [{"document": "001_832852226712061c.txt", "quote": "必要以上の資料の提供を避け"}],
      "measures": ["conversation.longestAgentMonologueSeconds", "channels[agent].rate.utterances (inter-pause units)", "channels[agent].speech.withinTurnPauses"],
      "thresholds": {"default": {"monologuePassSeconds": 30, "monologueFailSeconds": 60, "longUnitSeconds": 10, "longUnitSharePass": 0.1, "longUnitShareFail": 0.3, "pauseTurnSeconds": 10, "pausesPerMinutePass": 10, "pausesPerMinuteFail": 4, "longestPausePassSeconds": 1, "longestPauseFailSeconds": 3}},
      "weight": 0.5,
      "rationale": "GUIDELINES.md suggests the longest agent monologue and the share of inter-pause units longer than ~10 s; no published call-centre limit was found (vendors report the longest monologue without a norm): thresholds are a project choice. 注意停顿 asks for pauses, read inside the agent's own turns (speech.withinTurnPauses: gaps ≥ 0.25 s, Goldman-Eisler's cut-off, with no customer turn and no hold in them). Too few: in the agent's turns spanning at least 10 s (pauseTurnSeconds, GUIDELINES.md's ~10 s unit: a turn that long needs a pause), the within-turn pauses per minute of the agent's speech in them (per minute of speech as for fillers, so the share the customer talks does not matter; shorter turns are left out, since answering briefly and giving the floor back is the guideline kept). At 10 per minute (pausesPerMinutePass) the turn's inter-pause units average about 5–6 s; at 4 (pausesPerMinuteFail) 10–15 s, GUIDELINES.md's long unit: project choice. Too long: the longest pause inside a turn passes up to 1 s — phrasing pauses of read and planned speech lie within 0.2–1 s and pauses over 1 s occur only in spontaneous speech (Campione & Véronis 2002, Speech Prosody, 5 languages); listeners rated 0.6 s pauses at punctuation the most natural (Front. Psychol. 2022, doi:10.3389/fpsyg.2022.778018) — and fails from 3 s, where call-centre analytics count silence as non-talk or dead air (Amazon Contact Lens > 3 s, MiiTel ≥ 3 s; the dead-air line of no-waiting's measure). Rubric 1.1 files without these five keys judge short-sentences as before.",
      "tips": {
        "zh": "句子偏长:多用短句,说完一个要点就停顿,给客户回应的机会;停顿要短,需要较长时间时先告诉客户您在做什么。",
        "ja": "一度に話す量が多めです。短い文で区切り、要点ごとに間を取ってお客様の反応を待ちましょう。間は短く、時間がかかるときは何をしているか一言伝えましょう。",
        "en": "Your turns run long: use short sentences and pause after each point so the customer can respond; keep those pauses short, and say what you are doing if you need longer."
      }
    },
    {
      "id": "no-interrupting",
      "source": {"document": "000_53237e0a6371eb1a.txt", "quote": "尽量少打断他人讲话"},
      "alsoIn": [{"document": "001_832852226712061c.txt", "quote": "途中でお客様の話を中断してはいけません"}, {"document": "004_01e935c29edbf448.txt", "quote": "避免打断客户陈述"}],
      "measures": ["conversation.interruptions (by agent)"],
      "thresholds": {"default": {"passMaxCount": 0, "failMinCount": 2}},
      "weight": 1.5,
      "rationale": "The documents forbid interrupting; GUIDELINES.md: 0 is ideal, report each. One interruption warns, two fail: project choice. Backchannels are never interruptions (see docs/methods.md).",
      "tips": {
        "zh": "您打断了客户:请耐心听客户说完,再开始回答。",
        "ja": "お客様の話を遮っています。最後まで聞いてから話し始めましょう。",
        "en": "You cut the customer off: let them finish before you start to answer."
      }
    },
    {
      "id": "backchannels",
      "source": {"document": "000_53237e0a6371eb1a.txt", "quote": "口头反应—”嗯“,”是的“"},
      "alsoIn": [{"document": "003_f844289fbf4b3c3c.txt", "quote": "給出適當的回應“嗯”“是的”"}, {"document": "001_832852226712061c.txt", "quote": "耳を傾けて、反応する"}],
      "measures": ["channels[customer].speech.segments (long turns)", "conversation.backchannels (by agent)"],
      "thresholds": {"default": {"longTurnSeconds": 15, "sharePass": 1.0, "shareFail": 0.0}},
      "weight": 0.5,
      "rationale": "At least one agent backchannel in each long customer turn (> 15 s), as GUIDELINES.md suggests; the 15 s turn length is a project choice. Without a long customer turn the guideline is not measurable.",
      "tips": {
        "zh": "客户长时间陈述时请给出“嗯”“是的”等回应,让客户知道您在听。",
        "ja": "お客様が長く話している間は「はい」「ええ」と相づちを打ち、聞いていることを伝えましょう。",
        "en": "While the customer explains at length, give short acknowledgements (\"mm\", \"yes\") so they know you are listening."
      }
    },
    {
      "id": "no-waiting",
      "source": {"document": "000_53237e0a6371eb1a.txt", "quote": "不要让来电者等待"},
      "alsoIn": [{"document": "003_f844289fbf4b3c3c.txt", "quote": "如果整個過程需2 分鐘以上,應建議客戶留下聯系電話"}, {"document": "001_832852226712061c.txt", "quote": "お待たせしました"}],
      "measures": ["conversation.holds", "conversation.deadAir", "conversation.responseLatency.items"],
      "thresholds": {"default": {"holdPassSeconds": 60, "holdFailSeconds": 120, "deadAirPassSeconds": 5, "deadAirFailSeconds": 15, "latencyPassSeconds": 3, "latencyFailSeconds": 8}},
      "weight": 1.5,
      "rationale": "A hold over 2 minutes fails (003: 2 分鐘以上); dead air over 5 s is flagged (Google CCAI silence > 5 s) and fails past 15 s (Genesys unexplained silence > 15 s); a response latency over 3 s is flagged (MiiTel silence ≥ 3 s) and fails past 8 s. The 60 s hold pass line and the 8 s latency fail line are a project choice.",
      "tips": {
        "zh": "客户等待过久:需要查询时先告知客户并控制时间,超过两分钟请建议客户留下电话稍后回复。",
        "ja": "お客様を待たせています。調べる前に一言伝え、長くかかる場合は折り返しを提案しましょう。",
        "en": "The customer waited too long: say what you are doing before any silence, and offer a call-back if it will take over two minutes."
      }
    },
    {
      "id": "answer-promptly",
      "source": {"document": "000_53237e0a6371eb1a.txt", "quote": "在第三声铃响之前接听并问候"},
      "alsoIn": [{"document": "003_f844289fbf4b3c3c.txt", "quote": "鈴響三聲必有應答"}],
      "measures": ["conversation.ringCount", "conversation.timeToAnswerSeconds"],
      "thresholds": {"default": {"ringsPassMax": 2, "ringsFailMin": 4, "answerPassSeconds": 2, "answerFailSeconds": 6}},
      "weight": 1,
      "rationale": "000 asks for an answer before the third ring (≤ 2 rings pass), 003 for an answer by the third (3 rings warns, 4 fail). Without ringing in the recording, the time to the agent's first speech is judged: ≤ 2 s passes, ≥ 6 s fails (project choice).",
      "tips": {
        "zh": "接听偏慢:请在铃响三声之内接听并立即问候。",
        "ja": "応答が遅れています。呼び出し音3回以内に出て、すぐにあいさつしましょう。",
        "en": "You answered late: pick up within three rings and greet the caller straight away."
      }
    },
    {
      "id": "no-fillers",
      "source": {"document": "004_01e935c29edbf448.txt", "quote": "杜绝“嗯”“啊”等无意义口头禅"},
      "measures": ["conversation.filledPauses.perMinuteOfSpeech", "conversation.filledPauses.items"],
      "thresholds": {"default": {"perMinutePass": 1, "perMinuteFail": 4}},
      "weight": 1,
      "rationale": "004 asks to eliminate fillers; no published per-minute norm for agents was found: ≤ 1 per minute of agent speech passes, ≥ 4 fails (project choice).",
      "tips": {
        "zh": "“嗯”“啊”等口头禅较多:想好再说,需要思考时可以短暂停顿,而不是拖长声音。",
        "ja": "「えー」「あのー」が多めです。考えるときは声を伸ばさず、短く間を取りましょう。",
        "en": "You use fillers (\"uh\", \"um\"): when you need a moment, pause silently instead of holding a sound."
      }
    },
    {
      "id": "calm",
      "source": {"document": "004_01e935c29edbf448.txt", "quote": "处理客户投诉时需保持冷静与中立"},
      "alsoIn": [{"document": "001_832852226712061c.txt", "quote": "冷静で、積極的で"}],
      "measures": ["conversation.calm.agentLevelRiseDB", "conversation.calm.agentPitchRiseSemitones", "conversation.calm.episodes"],
      "thresholds": {"default": {"levelRisePassDB": 2, "levelRiseFailDB": 6, "pitchRisePassSemitones": 1, "pitchRiseFailSemitones": 3}},
      "weight": 1,
      "rationale": "Louder and higher speech goes with higher vocal arousal (Scherer 2003; Juslin & Laukka 2003); the agent's rise is measured against the agent's own baseline while the customer's voice rises. The limits are a project choice. Not measurable when the customer's voice never rises above their own baseline.",
      "tips": {
        "zh": "客户情绪激动时您的声音也随之升高:请保持平稳的音量和语调,冷静、中立地回应。",
        "ja": "お客様の声が高ぶると、あなたの声も大きく高くなっています。落ち着いた声の大きさと高さを保ちましょう。",
        "en": "When the customer got louder, so did you: keep your volume and pitch steady and answer calmly."
      }
    },
    {
      "id": "silent-call",
      "source": {"document": "003_f844289fbf4b3c3c.txt", "quote": "無聲電話"},
      "alsoIn": [{"document": "001_832852226712061c.txt", "quote": "相手が無応答の時"}],
      "measures": ["conversation.silentCall.prompts", "conversation.silentCall.gaps"],
      "thresholds": {"default": {"minimumPrompts": 2, "gapPassMinSeconds": 2, "gapPassMaxSeconds": 5, "gapFailBelowSeconds": 1, "gapFailAboveSeconds": 10}},
      "weight": 1,
      "rationale": "003: greet, wait about 3 s (間隔 3 秒左右), prompt again, then close; a first gap of 2–5 s passes. Fewer than two prompts, or a gap under 1 s or over 10 s, fails (project choice). Only applies when the customer never speaks.",
      "tips": {
        "zh": "无声电话:问候后等待约3秒再询问一次,仍无回应时礼貌说明后再挂机。",
        "ja": "無言の電話では、あいさつの後3秒ほど待ってもう一度呼びかけ、応答がなければ丁寧に伝えてから切りましょう。",
        "en": "On a silent line: greet, wait about three seconds, ask again, and if there is still no answer, explain politely before hanging up."
      }
    }
  ],
  "notMeasurable": [
    {"id": "greeting-wording", "source": {"document": "000_53237e0a6371eb1a.txt", "quote": "表明公司、部门和自己"}, "reason": "the wording of greetings and closings needs a transcript; audio alone shows only when and how the agent speaks"},
    {"id": "customer-name", "source": {"document": "003_f844289fbf4b3c3c.txt", "quote": "x先生/小姐"}, "reason": "using the customer's name needs a transcript"},
    {"id": "hang-up-last", "source": {"document": "003_f844289fbf4b3c3c.txt", "quote": "第九步:接線員應等用戶掛上電話后,再掛電話"}, "reason": "the recording rarely shows which party hung up"},
    {"id": "first-call-resolution", "source": {"document": "004_01e935c29edbf448.txt", "quote": "首次解决率"}, "reason": "a KPI of the case history, not of the recording"},
    {"id": "customer-satisfaction", "source": {"document": "004_01e935c29edbf448.txt", "quote": "客户满意度"}, "reason": "measured by surveys, not by the recording"},
    {"id": "average-handling-time", "source": {"document": "004_01e935c29edbf448.txt", "quote": "平均处理时长"}, "reason": "the call's duration (audio.durationSeconds) judged over many calls: belongs in audit summaries, not in one call's score"}
  ]
}
"""#
}
