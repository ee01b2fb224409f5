/// Element types a checkpoint tensor can be stored in.
///
/// The raw values are the dtype strings of the safetensors header (`"F32"`, `"BF16"`, …);
/// PyTorch storage classes map onto the same cases (see ``DType/init(torchStorageName:)``).
public enum DType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32", f64 = "F64", i64 = "I64", u64 = "U64"

    /// Size of one element in bytes.
    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .f64, .i64, .u64: return 8
        }
    }

    /// Whether the type holds floating-point values (`F16`, `BF16`, `F32`, `F64`).
    public var isFloatingPoint: Bool {
        switch self {
        case .f16, .bf16, .f32, .f64: return true
        default: return false
        }
    }

    /// The dtype of a PyTorch typed storage class (`FloatStorage`, `HalfStorage`, …), or `nil` if the
    /// name is not one of them. `UntypedStorage` maps to `.u8` because its element count is in bytes.
    public init?(torchStorageName name: String) {
        switch name {
        case "FloatStorage": self = .f32
        case "HalfStorage": self = .f16
        case "BFloat16Storage": self = .bf16
        case "DoubleStorage": self = .f64
        case "LongStorage": self = .i64
        case "IntStorage": self = .i32
        case "ShortStorage": self = .i16
        case "CharStorage": self = .i8
        case "ByteStorage", "UntypedStorage": self = .u8
        case "BoolStorage": self = .bool
        default: return nil
        }
    }
}
