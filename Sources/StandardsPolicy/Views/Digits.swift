// Digit runs: numbers in any form (digits, spelled syllables, decorated digits), for personal information.

extension TextNormalizer {
    // MARK: Digits

    /// Separators that may stand between the digit groups of one number.
    static func isNumberSeparator(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x20, 0x2D, 0x2E, 0x28, 0x29, 0x2F, 0x5F, 0x7E, 0xB7, 0x3A, 0x2010...0x2015, 0x2212, 0x3000, 0xFF0D, 0xFF0E: true
        default: false
        }
    }

    static func digitRuns(_ base: BaseText, into runs: inout [DigitRun]) {
        let count = base.count
        // Spelled digits count only in runs (see Hangul.spelledDigitRun).
        var spelled: [UInt8?] = []
        var runStart = 0
        for index in 0...count {
            if index < count, Hangul.digitSyllable(base.scalars[index]) != nil { continue }
            if index - runStart >= Hangul.spelledDigitRun {
                if spelled.isEmpty { spelled = [UInt8?](repeating: nil, count: count) }
                for position in runStart..<index { spelled[position] = Hangul.digitSyllable(base.scalars[position]) }
            }
            runStart = index + 1
        }
        let hasSpelled = !spelled.isEmpty

        // The run being read, and the separators since its last digit. A run too short to keep is emptied and its
        // storage reused for the next.
        var run = DigitRun()
        var gap = 0
        // Whether the run began right after `+` (a country code follows).
        var international = false
        func close() {
            guard !run.digits.isEmpty else { return }  // nothing to reset (the gap only grows after a digit)
            if international { run.dropKoreanCountryCode() }
            if run.digits.count >= 7 {
                runs.append(run)
                run = DigitRun()
            } else {
                run.removeAll()
            }
            gap = 0
        }
        func add(_ digit: UInt8, _ position: Int) {
            if run.digits.isEmpty {
                run.reserve(16)
                run.groupStarts.append(0)
                international = position > 0 && base.scalars[position - 1] == 0x2B
            } else if gap > 0 {
                run.groupStarts.append(run.digits.count)
            }
            gap = 0
            run.digits.append(digit)
            run.starts.append(base.start(position))
            run.ends.append(base.end(position))
        }
        for position in 0..<count {
            let scalarClass = base.classes[position]
            let scalar = base.scalars[position]
            if scalarClass.kind == .digit {
                add(UInt8(scalarClass.value - 0x30), position)
            } else if hasSpelled, let digit = spelled[position] {
                add(digit, position)
            } else if scalarClass.kind == .expansion,
                case let text = ScalarClass.expansions[Int(scalarClass.value)], text.unicodeScalars.allSatisfy({ (0x30...0x39).contains($0.value) })
            {
                for scalar in text.unicodeScalars { add(UInt8(scalar.value - 0x30), position) }
            } else if scalar == 0x6F || scalar == 0x4F || scalar == 0x3147,
                (!run.digits.isEmpty && gap == 0) || (position + 1 < count && base.classes[position + 1].kind == .digit)
            {
                add(0, position)  // O1O-…: a letter O or ㅇ between digits is a zero
            } else if scalarClass.kind == .invisible {
                continue
            } else if !run.digits.isEmpty, isNumberSeparator(scalar), gap < 2 {
                gap += 1
            } else {
                close()
            }
        }
        close()
    }
}
