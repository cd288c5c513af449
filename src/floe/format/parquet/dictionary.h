// The dictionary of one column chunk being written: distinct values in
// first-seen order as the PLAIN bytes of a dictionary page, with an
// open-addressing index over them, and the hashes it keys on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace floe::parquet {

inline uint64_t Mix(uint64_t x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ull;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ull;
  return x ^ (x >> 32);
}

// A fast non-cryptographic hash of a byte string: 8-byte words folded
// through a multiply-xorshift mixer; short tails are read as overlapping
// words instead of byte by byte. Long strings go through four independent
// lanes first (a serial chain of mixes would wait on each multiply). Only
// used inside one process.
inline uint64_t HashBytes(const char* p, size_t n) {
  auto load64 = [](const char* q) {
    uint64_t w;
    std::memcpy(&w, q, 8);
    return w;
  };
  auto load32 = [](const char* q) {
    uint32_t w;
    std::memcpy(&w, q, 4);
    return uint64_t{w};
  };
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t{n} << 56);
  const char* end = p + n;
  if (n > 64) {
    // Each lane step is a bijection of the lane (a multiply, then a shift
    // that brings the high bits down: a multiply alone never moves a change
    // downwards, and the next word could cancel it), so no word is lost.
    constexpr uint64_t kLane = 0x9fb21c651e98df25ull;
    uint64_t lanes[4] = {h, h ^ 0x2545f4914f6cdd1dull, h ^ 0xbf58476d1ce4e5b9ull,
                         h ^ 0x94d049bb133111ebull};
    for (; end - p > 32; p += 32) {
      for (int i = 0; i < 4; ++i) {
        const uint64_t x = (lanes[i] ^ load64(p + 8 * i)) * kLane;
        lanes[i] = x ^ (x >> 29);
      }
    }
    h = Mix(lanes[0]) ^ Mix(lanes[1] + 1) ^ Mix(lanes[2] + 2) ^ Mix(lanes[3] + 3);
  }
  if (end - p >= 8) {
    for (; end - p > 8; p += 8) h = Mix(h ^ load64(p));
    return Mix(h ^ load64(end - 8));  // the last 8 bytes, overlapping the previous word
  }
  if (n >= 8) return Mix(h ^ load64(end - 8));  // after the lanes: the last word again
  if (n >= 4) return Mix(h ^ (load32(p) << 32 | load32(p + n - 4)));
  uint64_t tail = 0;
  for (size_t i = 0; i < n; ++i) tail = tail << 8 | static_cast<uint8_t>(p[i]);
  return Mix(h ^ tail);
}

// Distinct values of one column chunk in first-seen order, as the PLAIN
// bytes of a dictionary page, with an open-addressing index over them.
class Dictionary {
 public:
  explicit Dictionary(bool byte_array) : byte_array_(byte_array) { Clear(); }

  // The index of `v`, added when new.
  uint32_t Insert(std::string_view v, uint64_t hash) {
    const auto tag = static_cast<uint32_t>(hash >> 32);
    size_t slot = hash & mask_;
    while (const uint32_t entry = slots_[slot].entry) {
      if (slots_[slot].tag == tag && Value(entry - 1) == v) return entry - 1;
      slot = (slot + 1) & mask_;
    }
    return Add(v, hash, slot);
  }

  // The same for fixed-width values, compared as integers of their bits.
  // REQUIRES: every value of this dictionary has sizeof(Bits) bytes.
  template <typename Bits>
  uint32_t InsertFixed(Bits bits) {
    const uint64_t hash = Mix(bits);
    const auto tag = static_cast<uint32_t>(hash >> 32);
    size_t slot = hash & mask_;
    while (const uint32_t entry = slots_[slot].entry) {
      if (slots_[slot].tag == tag) {
        Bits existing;
        std::memcpy(&existing, plain_.data() + size_t{entry - 1} * sizeof(Bits), sizeof(Bits));
        if (existing == bits) return entry - 1;
      }
      slot = (slot + 1) & mask_;
    }
    return Add({reinterpret_cast<const char*>(&bits), sizeof(Bits)}, hash, slot);
  }

  size_t size() const { return hashes_.size(); }
  const std::string& plain() const { return plain_; }
  // Entry i as it is in plain(): the value, after its 4-byte length for byte arrays.
  std::string_view PlainEntry(uint32_t i) const {
    const size_t prefix = byte_array_ ? 4 : 0;
    return {plain_.data() + offsets_[i] - prefix, lengths_[i] + prefix};
  }
  bool empty() const { return hashes_.empty(); }

  void Clear() {
    slots_.assign(1024, Slot{});
    mask_ = slots_.size() - 1;
    hashes_.clear();
    offsets_.clear();
    lengths_.clear();
    plain_.clear();
  }

 private:
  std::string_view Value(uint32_t i) const { return {plain_.data() + offsets_[i], lengths_[i]}; }

  uint32_t Add(std::string_view v, uint64_t hash, size_t slot) {
    const auto index = static_cast<uint32_t>(hashes_.size());
    slots_[slot] = {index + 1, static_cast<uint32_t>(hash >> 32)};
    hashes_.push_back(hash);
    if (byte_array_) {
      const auto n = static_cast<uint32_t>(v.size());
      plain_.append(reinterpret_cast<const char*>(&n), 4);  // little-endian hosts
    }
    offsets_.push_back(static_cast<uint32_t>(plain_.size()));
    lengths_.push_back(static_cast<uint32_t>(v.size()));
    plain_.append(v);
    if (hashes_.size() * 2 > slots_.size()) Grow();
    return index;
  }

  void Grow() {
    slots_.assign(slots_.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (uint32_t i = 0; i < hashes_.size(); ++i) {
      size_t slot = hashes_[i] & mask_;
      while (slots_[slot].entry != 0) slot = (slot + 1) & mask_;
      slots_[slot] = {i + 1, static_cast<uint32_t>(hashes_[i] >> 32)};
    }
  }

  bool byte_array_;
  // Entry index + 1 (0: empty) and the hash's high half, compared before
  // the entry itself is touched.
  struct Slot {
    uint32_t entry = 0;
    uint32_t tag = 0;
  };
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> offsets_, lengths_;
  std::string plain_;
};

}  // namespace floe::parquet
