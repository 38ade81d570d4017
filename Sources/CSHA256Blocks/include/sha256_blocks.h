#ifndef VOICEQA_SHA256_BLOCKS_H
#define VOICEQA_SHA256_BLOCKS_H
#include <stddef.h>
#include <stdint.h>

/// FIPS 180-4 §4.2.2: the 64 round constants (the Swift rounds in Checksum read them from here too).
const uint32_t *voiceqa_sha256_round_constants(void);

/// 1 when this CPU has the SHA extensions (and SSSE3, SSE4.1) that voiceqa_sha256_blocks_sha_ni needs.
int voiceqa_sha256_has_sha_ni(void);

/// FIPS 180-4 §6.2.2 over `block_count` 64-byte blocks at `data`, updating `state` (H0…H7), with
/// the x86 SHA extensions. Call only when voiceqa_sha256_has_sha_ni() is 1.
void voiceqa_sha256_blocks_sha_ni(uint32_t state[8], const uint8_t *data, size_t block_count);

#endif
