import DeBERTaKernels
import Foundation

/// Why a oneDNN (bf16) matrix product could not run.
public enum OneDNNError: Error, CustomStringConvertible, Equatable {
    /// `libdnnl.so.2` could not be opened, or lacks an entry point we need.
    case unavailable(String)
    /// A oneDNN call returned an error status (`dnnl_status_t`).
    case failed(call: String, status: Int32)
    /// The arguments describe no valid product (negative size, leading dimension too small).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .unavailable(let why): return "oneDNN not available: \(why) (bf16 matrix products need it: apt-get install libdnnl-dev)"
        case .failed(let call, let status): return "oneDNN call \(call) failed with status \(status)"
        case .invalidArgument(let why): return "bf16 matrix product: \(why)"
        }
    }
}

/// oneDNN 2.x (Debian `libdnnl2`, from `libdnnl-dev`), opened at run time with `dlopen` like
/// OpenBLAS (see ``BLAS``), so the package builds and every float32 path works without it.
///
/// One CPU engine and one in-order stream. Matmul primitives are created once per shape
/// (sizes, transposes, leading dimensions, alpha, beta, thread count) and cached, since creating
/// one can cost more than a small product (see BENCHMARKS.md, "oneDNN"). oneDNN runs on OpenMP; its thread count follows ``Threading/workers``.
public final class OneDNN: @unchecked Sendable {
    /// The library, or why it could not be opened (tried once).
    private static let loaded: Result<OneDNN, OneDNNError> = {
        do { return .success(try OneDNN()) } catch let e as OneDNNError { return .failure(e) } catch { return .failure(.unavailable("\(error)")) }
    }()

    /// The opened library; throws ``OneDNNError/unavailable(_:)`` when it cannot be opened.
    public static func shared() throws -> OneDNN { try loaded.get() }

    /// Whether `libdnnl.so.2` could be opened.
    public static var isAvailable: Bool { (try? loaded.get()) != nil }

    /// The library's version, e.g. `2.6.3`.
    public let version: String

    // MARK: Entry points (dnnl.h, 2.x C API)

    typealias Handle = OpaquePointer?
    typealias HandleOut = UnsafeMutablePointer<OpaquePointer?>
    private let engineCreate: @convention(c) (HandleOut, Int32, Int) -> Int32
    private let streamCreate: @convention(c) (HandleOut, Handle, UInt32) -> Int32
    private let streamWait: @convention(c) (Handle) -> Int32
    private let memoryDescInitByStrides: @convention(c) (UnsafeMutableRawPointer, Int32, UnsafePointer<Int64>, Int32, UnsafePointer<Int64>) -> Int32
    private let matmulDescInit: @convention(c) (UnsafeMutableRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer?, UnsafeRawPointer) -> Int32
    private let attrCreate: @convention(c) (HandleOut) -> Int32
    private let attrDestroy: @convention(c) (Handle) -> Int32
    private let attrSetOutputScales: @convention(c) (Handle, Int64, Int32, UnsafePointer<Float>) -> Int32
    private let attrSetPostOps: @convention(c) (Handle, Handle) -> Int32
    private let postOpsCreate: @convention(c) (HandleOut) -> Int32
    private let postOpsAppendSum: @convention(c) (Handle, Float) -> Int32
    private let postOpsDestroy: @convention(c) (Handle) -> Int32
    private let primitiveDescCreate: @convention(c) (HandleOut, UnsafeRawPointer, Handle, Handle, Handle) -> Int32
    private let primitiveDescQuery: @convention(c) (Handle, Int32, Int32, UnsafeMutableRawPointer) -> Int32
    private let primitiveDescDestroy: @convention(c) (Handle) -> Int32
    private let primitiveCreate: @convention(c) (HandleOut, Handle) -> Int32
    fileprivate let primitiveDestroy: @convention(c) (Handle) -> Int32
    private let primitiveExecute: @convention(c) (Handle, Handle, Int32, UnsafeRawPointer) -> Int32
    private let memoryCreate: @convention(c) (HandleOut, UnsafeRawPointer, Handle, UnsafeMutableRawPointer?) -> Int32
    private let memorySetDataHandle: @convention(c) (Handle, UnsafeMutableRawPointer?) -> Int32
    fileprivate let memoryDestroy: @convention(c) (Handle) -> Int32
    /// `omp_set_num_threads` of the OpenMP runtime oneDNN runs on (per calling thread).
    private let ompSetNumThreads: (@convention(c) (Int32) -> Void)?

    private var engine: OpaquePointer?
    private var stream: OpaquePointer?

    // dnnl_types.h values.
    static let statusSuccess: Int32 = 0
    static let dataTypeBF16: Int32 = 2
    static let dataTypeF32: Int32 = 3
    static let engineCPU: Int32 = 1
    static let streamInOrder: UInt32 = 1
    static let queryImplInfoString: Int32 = 8
    static let argSource: Int32 = 1, argDestination: Int32 = 17, argWeights: Int32 = 33
    /// Room for a `dnnl_memory_desc_t` (696 bytes in 2.6) and a `dnnl_matmul_desc_t` (2800 bytes).
    static let memoryDescBytes = 2048, opDescBytes = 8192

    private init() throws {
        // Read by the OpenMP runtime when it loads with oneDNN (unless the user has set them):
        // our thread budget, and idle OpenMP threads that sleep rather than spin, so that they
        // do not take cores from OpenBLAS and our own kernels between oneDNN calls (see
        // BENCHMARKS.md, "oneDNN").
        if getenv("OMP_NUM_THREADS") == nil { setenv("OMP_NUM_THREADS", String(Threading.workers), 0) }
        if getenv("OMP_WAIT_POLICY") == nil && getenv("GOMP_SPINCOUNT") == nil { setenv("OMP_WAIT_POLICY", "PASSIVE", 0) }
        #if os(macOS)
        let names = ["libdnnl.2.dylib", "/opt/homebrew/lib/libdnnl.2.dylib", "/usr/local/lib/libdnnl.2.dylib"]
        #else
        let names = ["libdnnl.so.2"]
        #endif
        var reasons: [String] = []
        var opened: UnsafeMutableRawPointer? = nil
        for name in names where opened == nil {
            opened = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if opened == nil { reasons.append(dlerror().map { String(cString: $0) } ?? "\(name): dlopen failed") }
        }
        guard let lib = opened else { throw OneDNNError.unavailable("could not open \(names[0]) (\(reasons.joined(separator: "; ")))") }
        func symbol<T>(_ name: String, _ type: T.Type) throws -> T {
            guard let s = dlsym(lib, name) else { throw OneDNNError.unavailable("\(names[0]) has no \(name) (a oneDNN 2.x library is needed)") }
            return unsafeBitCast(s, to: type)
        }
        let versionFunction = try symbol("dnnl_version", (@convention(c) () -> UnsafeRawPointer?).self)
        guard let v = versionFunction() else { throw OneDNNError.unavailable("dnnl_version returned nothing") }
        let (major, minor, patch) = (v.load(as: Int32.self), v.load(fromByteOffset: 4, as: Int32.self), v.load(fromByteOffset: 8, as: Int32.self))
        version = "\(major).\(minor).\(patch)"
        guard major == 2 else { throw OneDNNError.unavailable("found oneDNN \(version); the 2.x C API is needed") }
        engineCreate = try symbol("dnnl_engine_create", type(of: engineCreate))
        streamCreate = try symbol("dnnl_stream_create", type(of: streamCreate))
        streamWait = try symbol("dnnl_stream_wait", type(of: streamWait))
        memoryDescInitByStrides = try symbol("dnnl_memory_desc_init_by_strides", type(of: memoryDescInitByStrides))
        matmulDescInit = try symbol("dnnl_matmul_desc_init", type(of: matmulDescInit))
        attrCreate = try symbol("dnnl_primitive_attr_create", type(of: attrCreate))
        attrDestroy = try symbol("dnnl_primitive_attr_destroy", type(of: attrDestroy))
        attrSetOutputScales = try symbol("dnnl_primitive_attr_set_output_scales", type(of: attrSetOutputScales))
        attrSetPostOps = try symbol("dnnl_primitive_attr_set_post_ops", type(of: attrSetPostOps))
        postOpsCreate = try symbol("dnnl_post_ops_create", type(of: postOpsCreate))
        postOpsAppendSum = try symbol("dnnl_post_ops_append_sum", type(of: postOpsAppendSum))
        postOpsDestroy = try symbol("dnnl_post_ops_destroy", type(of: postOpsDestroy))
        primitiveDescCreate = try symbol("dnnl_primitive_desc_create", type(of: primitiveDescCreate))
        primitiveDescQuery = try symbol("dnnl_primitive_desc_query", type(of: primitiveDescQuery))
        primitiveDescDestroy = try symbol("dnnl_primitive_desc_destroy", type(of: primitiveDescDestroy))
        primitiveCreate = try symbol("dnnl_primitive_create", type(of: primitiveCreate))
        primitiveDestroy = try symbol("dnnl_primitive_destroy", type(of: primitiveDestroy))
        primitiveExecute = try symbol("dnnl_primitive_execute", type(of: primitiveExecute))
        memoryCreate = try symbol("dnnl_memory_create", type(of: memoryCreate))
        memorySetDataHandle = try symbol("dnnl_memory_set_data_handle", type(of: memorySetDataHandle))
        memoryDestroy = try symbol("dnnl_memory_destroy", type(of: memoryDestroy))
        ompSetNumThreads = dlsym(lib, "omp_set_num_threads").map { unsafeBitCast($0, to: (@convention(c) (Int32) -> Void).self) }
        try check("dnnl_engine_create", engineCreate(&engine, Self.engineCPU, 0))
        try check("dnnl_stream_create", streamCreate(&stream, engine, Self.streamInOrder))
    }

    private func check(_ call: String, _ status: Int32) throws {
        if status != Self.statusSuccess { throw OneDNNError.failed(call: call, status: status) }
    }

    // MARK: Matmul primitives

    /// What a cached primitive was made for.
    struct MatmulKey: Hashable {
        var m, n, k: Int
        var transA, transB: Bool
        var lda, ldb, ldc: Int
        /// Element type of A and B (C is always float32).
        var inputType: Int32
        var alpha, beta: Float
        var threads: Int
    }

    /// A primitive and the memory objects it runs on (their data pointers are set per call).
    final class Matmul {
        let owner: OneDNN
        var primitive: OpaquePointer?
        var a: OpaquePointer?, b: OpaquePointer?, c: OpaquePointer?
        var implementation = ""

        init(owner: OneDNN) { self.owner = owner }

        deinit {
            for m in [a, b, c] where m != nil { _ = owner.memoryDestroy(m) }
            if primitive != nil { _ = owner.primitiveDestroy(primitive) }
        }
    }

    private let lock = NSLock()
    private var cache: [MatmulKey: Matmul] = [:]
    /// Cached primitives beyond this count are all dropped (shapes vary with padded batch widths).
    static let cacheLimit = 512

    /// Number of cached matmul primitives.
    public var cachedPrimitiveCount: Int { lock.withLock { cache.count } }

    /// Row-major `C = alpha · op(A) · op(B) + beta · C` with `inputType` A and B (`dataTypeBF16`
    /// or `dataTypeF32`) and float32 C, accumulating in float32. Sizes must be positive and
    /// leading dimensions valid (checked by the caller).
    func matmul(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                a: UnsafeRawPointer, lda: Int, b: UnsafeRawPointer, ldb: Int,
                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, inputType: Int32) throws {
        let threads = Threading.workers
        let key = MatmulKey(m: m, n: n, k: k, transA: transA, transB: transB, lda: lda, ldb: ldb, ldc: ldc,
                            inputType: inputType, alpha: alpha, beta: beta, threads: threads)
        lock.lock()
        defer { lock.unlock() }
        // OpenMP's thread count is a per-thread setting: set it on whichever thread calls.
        ompSetNumThreads?(Int32(threads))
        let p: Matmul
        if let cached = cache[key] {
            p = cached
        } else {
            p = try makeMatmul(key)
            if cache.count >= Self.cacheLimit { cache.removeAll() }
            cache[key] = p
        }
        try check("dnnl_memory_set_data_handle", memorySetDataHandle(p.a, UnsafeMutableRawPointer(mutating: a)))
        try check("dnnl_memory_set_data_handle", memorySetDataHandle(p.b, UnsafeMutableRawPointer(mutating: b)))
        try check("dnnl_memory_set_data_handle", memorySetDataHandle(p.c, UnsafeMutableRawPointer(c)))
        try withUnsafeTemporaryAllocation(byteCount: 48, alignment: 8) { args in
            // dnnl_exec_arg_t: { int arg; dnnl_memory_t memory; }, 16 bytes.
            for (i, (arg, memory)) in [(Self.argSource, p.a), (Self.argWeights, p.b), (Self.argDestination, p.c)].enumerated() {
                args.storeBytes(of: arg, toByteOffset: 16 * i, as: Int32.self)
                args.storeBytes(of: memory, toByteOffset: 16 * i + 8, as: OpaquePointer?.self)
            }
            ck_pool_park()  // oneDNN's OpenMP threads take the cores
            try check("dnnl_primitive_execute", primitiveExecute(p.primitive, stream, 3, UnsafeRawPointer(args.baseAddress!)))
        }
        try check("dnnl_stream_wait", streamWait(stream))
    }

    /// The implementation oneDNN picked for a shape (e.g. `brg:avx512_core_bf16`), for logs.
    public func implementationName(transA: Bool = false, transB: Bool = true, m: Int, n: Int, k: Int) throws -> String {
        let key = MatmulKey(m: m, n: n, k: k, transA: transA, transB: transB, lda: transA ? m : k, ldb: transB ? k : n, ldc: n,
                            inputType: Self.dataTypeBF16, alpha: 1, beta: 0, threads: Threading.workers)
        return try lock.withLock { try makeMatmul(key).implementation }
    }

    private func makeMatmul(_ key: MatmulKey) throws -> Matmul {
        let md = UnsafeMutableRawPointer.allocate(byteCount: 3 * Self.memoryDescBytes, alignment: 64)
        let desc = UnsafeMutableRawPointer.allocate(byteCount: Self.opDescBytes, alignment: 64)
        md.initializeMemory(as: UInt8.self, repeating: 0, count: 3 * Self.memoryDescBytes)
        desc.initializeMemory(as: UInt8.self, repeating: 0, count: Self.opDescBytes)
        defer { md.deallocate(); desc.deallocate() }
        let aDesc = md, bDesc = md + Self.memoryDescBytes, cDesc = md + 2 * Self.memoryDescBytes
        // op(A) is [M, K] and op(B) is [K, N]; a transpose is a swap of strides.
        let aStrides: [Int64] = key.transA ? [1, Int64(key.lda)] : [Int64(key.lda), 1]
        let bStrides: [Int64] = key.transB ? [1, Int64(key.ldb)] : [Int64(key.ldb), 1]
        try check("dnnl_memory_desc_init_by_strides", memoryDescInitByStrides(aDesc, 2, [Int64(key.m), Int64(key.k)], key.inputType, aStrides))
        try check("dnnl_memory_desc_init_by_strides", memoryDescInitByStrides(bDesc, 2, [Int64(key.k), Int64(key.n)], key.inputType, bStrides))
        try check("dnnl_memory_desc_init_by_strides", memoryDescInitByStrides(cDesc, 2, [Int64(key.m), Int64(key.n)], Self.dataTypeF32, [Int64(key.ldc), 1]))
        try check("dnnl_matmul_desc_init", matmulDescInit(desc, aDesc, bDesc, nil, cDesc))

        var attr: OpaquePointer? = nil
        try check("dnnl_primitive_attr_create", attrCreate(&attr))
        defer { _ = attrDestroy(attr) }
        if key.alpha != 1 {
            var alpha = key.alpha
            try check("dnnl_primitive_attr_set_output_scales", attrSetOutputScales(attr, 1, 0, &alpha))
        }
        if key.beta != 0 {
            var postOps: OpaquePointer? = nil
            try check("dnnl_post_ops_create", postOpsCreate(&postOps))
            defer { _ = postOpsDestroy(postOps) }
            try check("dnnl_post_ops_append_sum", postOpsAppendSum(postOps, key.beta))
            try check("dnnl_primitive_attr_set_post_ops", attrSetPostOps(attr, postOps))
        }
        var pd: OpaquePointer? = nil
        try check("dnnl_primitive_desc_create", primitiveDescCreate(&pd, desc, attr, engine, nil))
        defer { _ = primitiveDescDestroy(pd) }
        let p = Matmul(owner: self)
        var name: UnsafePointer<CChar>? = nil
        if primitiveDescQuery(pd, Self.queryImplInfoString, 0, &name) == Self.statusSuccess, let name {
            p.implementation = String(cString: name)
        }
        try check("dnnl_primitive_create", primitiveCreate(&p.primitive, pd))
        try check("dnnl_memory_create", memoryCreate(&p.a, aDesc, engine, nil))
        try check("dnnl_memory_create", memoryCreate(&p.b, bDesc, engine, nil))
        try check("dnnl_memory_create", memoryCreate(&p.c, cDesc, engine, nil))
        return p
    }
}
