import Foundation

/// The small text members `torch.save` writes beside `data.pkl`: `version` (or `.data/version`), the
/// archive format PyTorch's reader checks first, and, since PyTorch 2.x, `.format_version` and
/// `.storage_alignment`. PyTorch refuses an archive whose version it cannot parse; a member that
/// cannot be extracted or does not say what its name promises means a damaged or forged file, so it
/// is refused here too rather than loaded without a word. Absent members are fine (older writers).
extension TorchZipCheckpoint {
    /// The file format versions PyTorch's `PytorchStreamReader` accepts
    /// (`kMinSupportedFileFormatVersion` … `kMaxSupportedFileFormatVersion`).
    static let supportedVersions: ClosedRange<UInt64> = 1...10

    /// Reads and checks every bookkeeping member present.
    func checkBookkeeping() throws {
        let versionPath = [root + ".data/version", root + "version"].first { directory.entry($0) != nil }
        if let versionPath, let version = try number(in: versionPath) {
            guard Self.supportedVersions.contains(version) else {
                throw fail(versionPath, "archive format version \(version) is not one PyTorch reads (\(Self.supportedVersions.lowerBound)–\(Self.supportedVersions.upperBound))")
            }
        }
        let formatPath = root + ".format_version"
        if let format = try number(in: formatPath), format < 1 {
            throw fail(formatPath, "format version \(format) must be at least 1")
        }
        let alignmentPath = root + ".storage_alignment"
        if let alignment = try number(in: alignmentPath), alignment == 0 || alignment & (alignment - 1) != 0 {
            throw fail(alignmentPath, "storage alignment \(alignment) is not a power of two")
        }
    }

    /// The decimal number a bookkeeping member holds (surrounding whitespace allowed, as C++'s
    /// `std::stoull` and Python's `int()` allow), nil when the member is absent.
    private func number(in path: String) throws -> UInt64? {
        guard let entry = directory.entry(path) else { return nil }
        guard entry.uncompressedSize <= 64 else {
            throw fail(path, "bookkeeping member of \(entry.uncompressedSize) bytes; it holds one small number")
        }
        let bytes: TensorBytes
        do { bytes = try recordBytes(entry) } catch {
            throw fail(path, "bookkeeping member is unreadable: \(error)")
        }
        guard let text = withExtendedLifetime(bytes, { String(validating: bytes.buffer, as: UTF8.self) }) else {
            throw fail(path, "bookkeeping member is not text")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = UInt64(trimmed) else {
            throw fail(path, "bookkeeping member holds \"\(trimmed.prefix(32))\", not a number")
        }
        return value
    }

    private func fail(_ path: String, _ message: String) -> CheckpointError {
        CheckpointError(file: file.path, message: "zip member '\(path)': \(message)")
    }
}
