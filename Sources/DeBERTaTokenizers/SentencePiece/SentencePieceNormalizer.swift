import DeBERTaFiles

/// SentencePiece's normaliser (`normalizer::Normalizer::Normalize`), byte for byte.
///
/// 1. With `removeExtraWhitespaces`, leading characters whose normalised form is exactly `" "`
///    are dropped; if nothing is left the result is empty.
/// 2. With `addDummyPrefix` (and not `treatWhitespaceAsSuffix`), a `▁` is emitted first.
/// 3. Each step normalises the longest prefix: a user-defined piece is copied unchanged; else the
///    longest charsmap key is replaced; else one UTF-8 character is copied (a malformed byte
///    becomes U+FFFD). With `removeExtraWhitespaces`, spaces right after a space are dropped.
///    Spaces are written as `▁` when `escapeWhitespaces` is set.
/// 4. With `removeExtraWhitespaces`, trailing `▁` are removed.
///
/// Each output byte records the input offset of the chunk it came from, as SentencePiece's
/// `norm_to_orig` does.
public struct SentencePieceNormalizer: Normalizer {
    let charsMap: PrecompiledCharsMap?
    let userDefined: ByteTrie
    /// `NormalizerSpec.add_dummy_prefix`.
    public let addDummyPrefix: Bool
    /// `NormalizerSpec.remove_extra_whitespaces`.
    public let removeExtraWhitespaces: Bool
    /// `NormalizerSpec.escape_whitespaces`.
    public let escapeWhitespaces: Bool
    /// `TrainerSpec.treat_whitespace_as_suffix`.
    public let treatWhitespaceAsSuffix: Bool

    init(charsMap: PrecompiledCharsMap?, userDefinedPieces: [[UInt8]], addDummyPrefix: Bool,
         removeExtraWhitespaces: Bool, escapeWhitespaces: Bool, treatWhitespaceAsSuffix: Bool) {
        self.charsMap = charsMap
        self.userDefined = ByteTrie(keys: userDefinedPieces.map { ($0, 0) })
        self.addDummyPrefix = addDummyPrefix
        self.removeExtraWhitespaces = removeExtraWhitespaces
        self.escapeWhitespaces = escapeWhitespaces
        self.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
    }

    private enum Source { case input, charsMap, replacementCharacter }

    private static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]
    private static let spaceSymbol: [UInt8] = [0xE2, 0x96, 0x81]

    /// `NormalizePrefix`: (where the replacement lives, its range there, bytes consumed).
    @inline(__always)
    private func normalizePrefix(_ input: UnsafeBufferPointer<UInt8>, _ position: Int) -> (Source, Range<Int>, Int) {
        let n = input.count
        if !userDefined.isEmpty, let match = userDefined.longestPrefix(input, from: position, to: n) {
            return (.input, position..<position + match.length, match.length)
        }
        if let map = charsMap, let match = map.longestMatch(input, from: position, to: n) {
            return (.charsMap, match.replacement, match.length)
        }
        let length = UTF8Validation.sequenceLength(input, at: position)
        if length == 0 { return (.replacementCharacter, 0..<3, 1) }
        return (.input, position..<position + length, length)
    }

    /// Normalises `input` as described above, recording each output byte's input offset.
    public func normalize(_ input: UnsafeBufferPointer<UInt8>, into output: inout NormalizedText) {
        let strings = charsMap?.replacementBytes ?? []
        strings.withUnsafeBufferPointer { stringsBuffer in
            SentencePieceNormalizer.replacementCharacter.withUnsafeBufferPointer { fffd in
                normalize(input, into: &output, strings: stringsBuffer, fffd: fffd)
            }
        }
    }

    private func normalize(_ input: UnsafeBufferPointer<UInt8>, into output: inout NormalizedText,
                           strings: UnsafeBufferPointer<UInt8>, fffd: UnsafeBufferPointer<UInt8>) {
        let n = input.count
        var consumed = 0
        var position = 0
        @inline(__always) func replacementBytes(_ source: Source, _ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
            switch source {
            case .input: return UnsafeBufferPointer(rebasing: input[range])
            case .charsMap: return UnsafeBufferPointer(rebasing: strings[range])
            case .replacementCharacter: return fffd
            }
        }
        if n == 0 {
            output.origins.append(0)
            return
        }
        if removeExtraWhitespaces {
            while position < n {
                let (source, range, length) = normalizePrefix(input, position)
                let rep = replacementBytes(source, range)
                if !(rep.count == 1 && rep[0] == 0x20) { break }
                position += length
                consumed += length
            }
        }
        if position == n {
            output.origins.append(Int32(consumed))
            return
        }
        output.bytes.reserveCapacity(n * 3)
        output.origins.reserveCapacity(n * 3 + 1)
        func addSpace(_ origin: Int) {
            if escapeWhitespaces {
                output.bytes.append(contentsOf: SentencePieceNormalizer.spaceSymbol)
                output.origins.append(Int32(origin))
                output.origins.append(Int32(origin))
                output.origins.append(Int32(origin))
            } else {
                output.bytes.append(0x20)
                output.origins.append(Int32(origin))
            }
        }
        if !treatWhitespaceAsSuffix && addDummyPrefix { addSpace(consumed) }
        var isPreviousSpace = removeExtraWhitespaces
        while position < n {
            let (source, range, length) = normalizePrefix(input, position)
            let rep = replacementBytes(source, range)
            var k = 0
            if isPreviousSpace {
                while k < rep.count && rep[k] == 0x20 { k += 1 }
            }
            if k < rep.count {
                while k < rep.count {
                    let b = rep[k]
                    if b == 0x20 && escapeWhitespaces {
                        addSpace(consumed)
                    } else {
                        output.bytes.append(b)
                        output.origins.append(Int32(consumed))
                    }
                    k += 1
                }
                isPreviousSpace = rep[rep.count - 1] == 0x20
            }
            consumed += length
            position += length
            if !removeExtraWhitespaces { isPreviousSpace = false }
        }
        if removeExtraWhitespaces {
            let space: [UInt8] = escapeWhitespaces ? SentencePieceNormalizer.spaceSymbol : [0x20]
            while output.bytes.count >= space.count && output.bytes[(output.bytes.count - space.count)...].elementsEqual(space) {
                let length = output.bytes.count - space.count
                consumed = Int(output.origins[length])
                output.bytes.removeLast(space.count)
                output.origins.removeLast(space.count)
            }
        }
        if treatWhitespaceAsSuffix && addDummyPrefix { addSpace(consumed) }
        output.origins.append(Int32(consumed))
    }
}
