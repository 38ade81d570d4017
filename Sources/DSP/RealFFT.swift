import CFFTW
import Synchronization

/// FFTW's planner is not thread-safe: every plan creation and destruction goes through this lock.
/// Only `fftwf_execute*` may run concurrently (FFTW 3.3 manual, §5.4 "Thread safety").
let fftwPlannerLock = Mutex<Void>(())

struct PlanBox: @unchecked Sendable { let plan: fftwf_plan }

/// A real-to-complex and complex-to-real FFT of one size, with its own SIMD-aligned buffers.
///
/// One instance per task (not Sendable): the plans are made once in `init` and reused for
/// every frame. `forward()` transforms `input` into `spectrum`; `inverse()` transforms
/// `spectrum` back into `input` (unnormalised, so the result is `size` times the original;
/// FFTW's c2r destroys its input, so `spectrum` must be refilled before each inverse).
public final class RealFFT {
    public let size: Int
    public var binCount: Int { size / 2 + 1 }
    /// Time-domain buffer, `size` floats.
    public let input: UnsafeMutableBufferPointer<Float>
    /// Interleaved complex spectrum, `2 * binCount` floats: re₀, im₀, re₁, im₁, …
    public let spectrum: UnsafeMutableBufferPointer<Float>
    private let forwardPlan: fftwf_plan
    private let inversePlan: fftwf_plan?

    /// - Parameter measure: `true` for FFTW_MEASURE (slower to plan, faster to run; for long
    ///   files), `false` for FFTW_ESTIMATE (instant planning; for tests and short clips).
    ///   `inverse: false` skips the c2r plan when only forward transforms are needed.
    public init(size: Int, measure: Bool = false, inverse: Bool = true) {
        precondition(size >= 4 && size % 2 == 0, "FFT size must be even and ≥ 4")
        self.size = size
        let bins = size / 2 + 1
        let realPointer = fftwf_alloc_real(size)!
        let complexPointer = fftwf_alloc_complex(bins)!
        input = UnsafeMutableBufferPointer(start: realPointer, count: size)
        let floatPointer = UnsafeMutableRawPointer(complexPointer).bindMemory(to: Float.self, capacity: 2 * bins)
        spectrum = UnsafeMutableBufferPointer(start: floatPointer, count: 2 * bins)
        let forwardFlags = UInt32(measure ? FFTW_MEASURE : FFTW_ESTIMATE)   // r2c keeps its input
        let inverseFlags = forwardFlags | UInt32(FFTW_DESTROY_INPUT)            // c2r always destroys it
        let plans = fftwPlannerLock.withLock { _ -> (PlanBox, PlanBox?) in
            let f = fftwf_plan_dft_r2c_1d(Int32(size), realPointer, complexPointer, forwardFlags)!
            let i = inverse ? fftwf_plan_dft_c2r_1d(Int32(size), complexPointer, realPointer, inverseFlags)! : nil
            return (PlanBox(plan: f), i.map { PlanBox(plan: $0) })
        }
        forwardPlan = plans.0.plan
        inversePlan = plans.1?.plan
        input.initialize(repeating: 0)      // MEASURE scribbles on the arrays while planning
        spectrum.initialize(repeating: 0)
    }

    deinit {
        let f = PlanBox(plan: forwardPlan), i = inversePlan.map { PlanBox(plan: $0) }
        fftwPlannerLock.withLock { _ in
            fftwf_destroy_plan(f.plan)
            if let i { fftwf_destroy_plan(i.plan) }
        }
        fftwf_free(UnsafeMutableRawPointer(input.baseAddress))
        fftwf_free(UnsafeMutableRawPointer(spectrum.baseAddress))
    }

    /// `input` → `spectrum`. `input` may be overwritten (FFTW_DESTROY_INPUT).
    @inline(__always) public func forward() { fftwf_execute(forwardPlan) }

    /// `spectrum` → `input`, scaled by `size`. `spectrum` is destroyed.
    @inline(__always) public func inverse() {
        guard let inversePlan else { preconditionFailure("RealFFT made with inverse: false") }
        fftwf_execute(inversePlan)
    }

    /// An FFT size FFTW handles fast that is at least `n`: the next power of two when it is
    /// within 25 % of the smallest 2^a·3^b·5^c size (powers of two run fastest), else that size.
    public static func fastSize(atLeast n: Int) -> Int {
        let smooth = goodSize(atLeast: n)
        var p2 = 2
        while p2 < n { p2 *= 2 }
        return Double(p2) <= 1.25 * Double(smooth) ? p2 : smooth
    }

    /// The smallest even size of the form 2^a·3^b·5^c that is at least `n`.
    public static func goodSize(atLeast n: Int) -> Int {
        var best = Int.max
        var p2 = 1
        while p2 < 2 * max(n, 1) {
            var p3 = p2
            while p3 < 2 * max(n, 1) {
                var p5 = p3
                while p5 < 2 * max(n, 1) {
                    if p5 >= n && p5 < best && p5 % 2 == 0 { best = p5 }
                    p5 *= 5
                }
                p3 *= 3
            }
            p2 *= 2
        }
        return best
    }
}
