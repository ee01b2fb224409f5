/// Text produced by a ``Normalizer``: UTF-8 bytes plus, for every byte, the offset of the input
/// byte it came from, so token positions can be reported in the caller's string.
public struct NormalizedText: Sendable {
    /// The normalised text as UTF-8.
    public var bytes: [UInt8] = []
    /// `origins[i]` is the input byte offset that normalised byte `i` came from; it has one extra
    /// final element, the input offset matching the end of the normalised text.
    public var origins: [Int32] = []

    /// An empty value; normalisers fill it.
    public init() {}

    /// Empties the value but keeps its storage for reuse.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        origins.removeAll(keepingCapacity: true)
    }
}

/// One token produced by a ``TokenizationModel``: its id and the half-open byte range it covers.
///
/// Ranges are relative to the text handed to the model; ``Tokenizer`` maps them back to the
/// caller's string.
public struct TokenSpan: Sendable, Equatable {
    /// The token id.
    public var id: Int32
    /// First byte covered.
    public var start: Int32
    /// One past the last byte covered.
    public var end: Int32

    /// Creates a span.
    public init(id: Int32, start: Int32, end: Int32) {
        self.id = id
        self.start = start
        self.end = end
    }
}
