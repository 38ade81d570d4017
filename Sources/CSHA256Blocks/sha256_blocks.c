// SHA-256 block compression with the x86 SHA extensions (SHA-NI).
//
// The instructions and the state layout they expect are described in Intel, "Intel SHA
// Extensions: New Instructions Supporting the Secure Hash Algorithm on Intel Architecture
// Processors" (Gulley, Gopal, Yap, Feghali, Guilford, Wolrich, 2013) and the Intel 64 and IA-32
// Architectures Software Developer's Manual, vol. 2 (SHA256RNDS2, SHA256MSG1, SHA256MSG2):
// - SHA256RNDS2 performs two rounds; the working variables live in two registers as (A,B,E,F) and
//   (C,D,G,H), and the two message-plus-constant words it consumes sit in the low 64 bits of XMM0.
// - SHA256MSG1 gives W[t-16] + σ0(W[t-15]) for four words; adding W[t-7] and applying SHA256MSG2
//   with the previous four words gives the next four words of the schedule (FIPS 180-4, (6.2.2) step 1).
// The Swift implementation in Checksum is the reference: the tests compare the two on random input.
#include "sha256_blocks.h"

// FIPS 180-4 §4.2.2.
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

const uint32_t *voiceqa_sha256_round_constants(void) { return K; }

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

int voiceqa_sha256_has_sha_ni(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    const int sha = (b >> 29) & 1;
    return ssse3 && sse41 && sha;
}


__attribute__((target("sha,ssse3,sse4.1")))
void voiceqa_sha256_blocks_sha_ni(uint32_t state[8], const uint8_t *data, size_t block_count) {
    // Big-endian words: reverse the bytes of each 32-bit lane.
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    // state[0..3] = (A,B,C,D) and state[4..7] = (E,F,G,H), lowest lane first; make (A,B,E,F), (C,D,G,H)
    // with A in the highest lane, as SHA256RNDS2 reads them.
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);

    for (size_t block = 0; block < block_count; block++, data += 64) {
        const __m128i abef_in = abef, cdgh_in = cdgh;
        __m128i w[4];   // the last 16 schedule words, four to a register, w[i % 4] = words 4i…4i+3
        for (int i = 0; i < 16; i++) {
            __m128i words;
            if (i < 4) {
                words = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), byte_swap);
            } else {
                // W[t-16] + σ0(W[t-15]), + W[t-7] (words 4i-7…4i-4 straddle the two previous registers),
                // then + σ1(W[t-2]).
                __m128i partial = _mm_sha256msg1_epu32(w[i % 4], w[(i + 1) % 4]);
                partial = _mm_add_epi32(partial, _mm_alignr_epi8(w[(i + 3) % 4], w[(i + 2) % 4], 4));
                words = _mm_sha256msg2_epu32(partial, w[(i + 3) % 4]);
            }
            w[i % 4] = words;
            __m128i wk = _mm_add_epi32(words, _mm_loadu_si128((const __m128i *)&K[4 * i]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);                     // rounds 4i, 4i+1
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));   // rounds 4i+2, 4i+3
        }
        abef = _mm_add_epi32(abef, abef_in);
        cdgh = _mm_add_epi32(cdgh, cdgh_in);
    }

    // Back to (A,B,C,D), (E,F,G,H), lowest lane first.
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

#else

int voiceqa_sha256_has_sha_ni(void) { return 0; }
void voiceqa_sha256_blocks_sha_ni(uint32_t state[8], const uint8_t *data, size_t block_count) {
    (void)state; (void)data; (void)block_count;
}

#endif
