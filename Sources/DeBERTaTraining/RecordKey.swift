/// A key of a JSON object whose names are known only at run time (metric names, extra log fields).
struct RecordKey: CodingKey, ExpressibleByStringLiteral {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init(stringLiteral name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedEncodingContainer where Key == RecordKey {
    /// `value`, or null when it is not finite (JSON has no NaN or infinity).
    mutating func encodeNumber<T: BinaryFloatingPoint & Encodable>(_ value: T, forKey name: String) throws {
        if value.isFinite { try encode(value, forKey: RecordKey(name)) } else { try encodeNil(forKey: RecordKey(name)) }
    }
}

extension KeyedDecodingContainer where Key == RecordKey {
    /// The number under `name`, NaN for null (a non-finite value written as null).
    func decodeNumber<T: BinaryFloatingPoint & Decodable>(_ type: T.Type = T.self, forKey name: String) throws -> T {
        try decodeNil(forKey: RecordKey(name)) ? .nan : try decode(T.self, forKey: RecordKey(name))
    }

    /// The numeric members other than `excluded` (null as NaN; strings and other values skipped).
    func numbers(excluding excluded: Set<String>) -> [String: Double] {
        var out: [String: Double] = [:]
        for key in allKeys where !excluded.contains(key.stringValue) {
            if (try? decodeNil(forKey: key)) == true { out[key.stringValue] = .nan } else if let v = try? decode(Double.self, forKey: key) { out[key.stringValue] = v }
        }
        return out
    }
}
