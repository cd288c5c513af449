#include "floe/iceberg/murmur3.h"

#include <bit>
#include <cstring>

namespace floe::iceberg {
namespace {

constexpr uint32_t kC1 = 0xcc9e2d51;
constexpr uint32_t kC2 = 0x1b873593;

uint32_t MixK(uint32_t k) {
  k *= kC1;
  k = std::rotl(k, 15);
  return k * kC2;
}

// The finalizer: forces every input bit to affect every output bit.
uint32_t Finalize(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  return h ^ (h >> 16);
}

}  // namespace

uint32_t Murmur3X86_32(std::span<const uint8_t> data, uint32_t seed) {
  uint32_t h = seed;
  const size_t blocks = data.size() / 4;
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k;
    std::memcpy(&k, data.data() + 4 * i, 4);  // little-endian blocks
    h ^= MixK(k);
    h = std::rotl(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  // The 1 to 3 trailing bytes, little-endian.
  uint32_t tail = 0;
  const uint8_t* rest = data.data() + 4 * blocks;
  switch (data.size() & 3) {
    case 3:
      tail ^= uint32_t{rest[2]} << 16;
      [[fallthrough]];
    case 2:
      tail ^= uint32_t{rest[1]} << 8;
      [[fallthrough]];
    case 1:
      tail ^= rest[0];
      h ^= MixK(tail);
  }
  h ^= static_cast<uint32_t>(data.size());
  return Finalize(h);
}

}  // namespace floe::iceberg
