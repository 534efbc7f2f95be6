// The cheap signals counted while ingesting, which let later stages skip work they cannot need.

extension TextNormalizer {
    /// The cheap facts that let later stages skip work, counted scalar by scalar: how many scalars could be digits
    /// (a phone number needs seven), and whether anything could start a link or an address (`@`, a dot between
    /// letters or digits or after a bracket, `:/` as in a scheme, a spoken form of ``Links/spokenKorean``; the words `at`
    /// and `dot` are looked for among the tokens). `ShortcutAgreementTests` holds it to the scanner over generated texts.
    struct SignalsCounter: Equatable {
        var digitLike = 0
        var trigger = false
        /// Scalars that repeat the one before them: a run of `n` needs `n - 1`, so flooding looks for runs only in
        /// texts with enough of them.
        var repeats = 0
        /// Digit syllables in a row so far (공일공).
        private var spelledRun = 0
        /// No scalar is `UInt32.max`, so the first one never continues a run.
        private var previous = UInt32.max
        private var previousKind = ScalarClass.Kind.separator
        /// A dot was seen: 1 when a letter or digit stood before it (a letter or digit must follow), 2 when a bracket
        /// did (anything may follow).
        private var pendingDot: UInt8 = 0

        /// Whether ``add(_:_:)`` does more for this scalar than remember it, found by adding it after a letter (and
        /// after two digit syllables); the class table caches the answer, so the lists below are the only definition.
        static func matters(_ scalar: UInt32, _ scalarClass: ScalarClass) -> Bool {
            var probe = SignalsCounter()
            probe.previousKind = .latin
            probe.previous = 0xACF5  // 공, the third digit syllable in a row
            probe.spelledRun = 2
            probe.add(scalar, scalarClass, always: true)
            // And after a colon, where a slash starts a scheme's `//`.
            var afterColon = SignalsCounter()
            afterColon.previousKind = .separator
            afterColon.previous = 0x3A
            afterColon.add(scalar, scalarClass, always: true)
            return probe.digitLike > 0 || probe.trigger || probe.pendingDot != 0 || afterColon.trigger
        }

        @inline(__always)
        mutating func add(_ scalar: UInt32, _ scalarClass: ScalarClass, always: Bool = false) {
            let kind = scalarClass.kind
            if pendingDot != 0 {
                if pendingDot == 2 || kind == .latin || kind == .digit { trigger = true }
                pendingDot = 0
            }
            if always || scalarClass.isSignal { count(scalar, kind) }
            countRun(scalar)
            previous = scalar
            previousKind = kind
        }

        @inline(__always)
        private mutating func countRun(_ scalar: UInt32) {
            repeats &+= scalar == previous ? 1 : 0
        }

        /// Whether ``addPlain(_:_:)`` may stand for ``add(_:_:always:)`` now: no dot waits for what follows it.
        var takesPlain: Bool { pendingDot == 0 }

        /// ``add(_:_:always:)`` for a scalar that is no signal (``ScalarClass/isSignal``) when ``takesPlain``.
        @inline(__always)
        mutating func addPlain(_ scalar: UInt32, _ kind: ScalarClass.Kind) {
            countRun(scalar)
            previous = scalar
            previousKind = kind
        }

        private mutating func count(_ scalar: UInt32, _ kind: ScalarClass.Kind) {
            switch kind {
            case .digit, .expansion: digitLike += 1
            case .syllable:
                if Hangul.digitSyllable(scalar) != nil {
                    // Spelled digits count only in runs (공일공), as the digit reader takes them.
                    spelledRun = Hangul.digitSyllable(previous) != nil ? spelledRun &+ 1 : 1
                    if spelledRun == Hangul.spelledDigitRun {
                        digitLike += spelledRun
                    } else if spelledRun > Hangul.spelledDigitRun {
                        digitLike += 1
                    }
                }
                if Links.spokenStarts.contains(scalar) { trigger = true }  // 닷, 쩜, 점(컴), 골(뱅이): the scanner's own table
            case .separator:
                switch scalar {
                case 0x40, 0xFF20: trigger = true
                case 0x2F where previous == 0x3A: trigger = true  // `://`: an explicit scheme (http://host), which links scan for
                case 0x2E, 0x3002, 0xFF0E, 0xFF61, 0x2024, 0xB7:
                    guard previous != UInt32.max else { break }  // nothing before the dot
                    if previousKind == .latin || previousKind == .digit { pendingDot = 1 }
                    if previous == 0x5B || previous == 0x28 || previous == 0x7B { pendingDot = 2 }
                default: break
                }
            default: break
            }
        }
    }

    /// ``wordHash(_:)`` of `at` and `dot`, as constants (a test checks them): a computed global would be checked for
    /// its one-time initialization on every read.
    static let atHash: UInt64 = 0x089c_4e07_b545_a968
    static let dotHash: UInt64 = 0xcaaf_2818_f474_58a0

    /// The token hash of an ASCII word (the same FNV-1a the tokenizer computes).
    static func wordHash(_ word: String) -> UInt64 {
        FNV1a.hash(word.unicodeScalars.map(\.value))
    }
}
