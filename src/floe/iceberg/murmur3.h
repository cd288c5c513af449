// 32-bit MurmurHash3, x86 variant: the hash Iceberg's bucket transform is
// defined with (spec Appendix B), seeded with 0.
#pragma once

#include <cstdint>
#include <span>

namespace floe::iceberg {

uint32_t Murmur3X86_32(std::span<const uint8_t> data, uint32_t seed = 0);

}  // namespace floe::iceberg
