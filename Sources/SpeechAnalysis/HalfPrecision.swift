/// Conversions to and from `Float16` written out in integer operations, with the same results
/// as `Float16(_:)` and `Float(_:)` (issue 18).
///
/// Swift on x86_64 targets the baseline instruction set, which has no F16C, so every
/// `Float16(x)` and `Float(h)` there is a call into a runtime helper (compiler-rt's
/// `__truncsfhf2`, `__truncdfhf2`, `__extendhfsf2`): about 2 % of the CPU time of a 1-hour call,
/// for the half-precision levels and envelopes kept per frame. These inline the common case, a
/// normal half-precision result (and zero), by the bit layout of IEEE 754-2008 binary16/32/64 (sign,
/// biased exponent, fraction), rounding to nearest, ties to even, as the standard's default
/// rounding; subnormals, infinities and NaNs take the standard library's conversion, so
/// every input gives the standard library's result (`HalfPrecisionTwinTests` in
/// `SpeedTwinTests.swift`: every half to Float; to half, every half's value, the ties between
/// neighbours and one unit either side, as Float and Double, and a spread of Float bit patterns).
enum HalfPrecision {
    /// `Float16(value)`.
    @inline(__always) static func half(_ value: Float) -> Float16 {
        let bits = value.bitPattern
        let magnitudeBits = bits & 0x7FFF_FFFF
        if magnitudeBits == 0 { return Float16(bitPattern: UInt16(truncatingIfNeeded: bits >> 16)) }  // ±0
        // Normal results only: from 2^-14 (the smallest normal half, 0x3880_0000) up to, not
        // including, 65520 (0x477F_F000, which rounds to infinity; 65504 is the largest half).
        guard magnitudeBits >= 0x3880_0000 && magnitudeBits < 0x477F_F000 else { return Float16(value) }
        // Round the 23-bit fraction to 10 bits, ties to even: add just under half a unit of the
        // kept last place, plus one when that place is odd; a carry moves into the exponent.
        let rounded = magnitudeBits &+ 0xFFF &+ ((magnitudeBits >> 13) & 1)
        // Re-bias the exponent from 127 to 15: subtract (127 − 15) << 23.
        let halfBits = UInt16(truncatingIfNeeded: (rounded &- 0x3800_0000) >> 13)
        return Float16(bitPattern: halfBits | UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000))
    }

    /// `Float16(value)`, rounded once from the Double (not through Float).
    @inline(__always) static func half(_ value: Double) -> Float16 {
        let bits = value.bitPattern
        let magnitudeBits = bits & 0x7FFF_FFFF_FFFF_FFFF
        // 2^-14 and 65520 as binary64.
        guard magnitudeBits >= 0x3F10_0000_0000_0000 && magnitudeBits < 0x40EF_FE00_0000_0000 else {
            return Float16(value)
        }
        // 52-bit fraction to 10 bits (42 dropped), ties to even; exponent re-biased from 1023 to 15.
        let rounded = magnitudeBits &+ 0x1FF_FFFF_FFFF &+ ((magnitudeBits >> 42) & 1)
        let halfBits = UInt16(truncatingIfNeeded: (rounded &- 0x3F00_0000_0000_0000) >> 42)
        return Float16(bitPattern: halfBits | UInt16(truncatingIfNeeded: (bits >> 48) & 0x8000))
    }

    /// `Float(value)`.
    @inline(__always) static func float(_ value: Float16) -> Float {
        let bits = value.bitPattern
        if bits & 0x7FFF == 0 { return Float(bitPattern: UInt32(bits) << 16) }  // ±0
        let exponent = (bits >> 10) & 0x1F
        // Exponent 0 (zero, subnormal) and 31 (infinity, NaN): the standard library.
        guard exponent != 0 && exponent != 0x1F else { return Float(value) }
        // Exponent and fraction move up 13 places; the exponent is re-biased from 15 to 127.
        let magnitude = (UInt32(bits & 0x7FFF) << 13) &+ 0x3800_0000
        return Float(bitPattern: magnitude | (UInt32(bits & 0x8000) << 16))
    }
}
