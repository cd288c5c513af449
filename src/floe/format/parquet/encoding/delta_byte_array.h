// DELTA_BYTE_ARRAY (Encodings.md, "Delta Strings"): front coding. Each value
// is a prefix of the previous value plus a suffix: the prefix lengths as a
// DELTA_BINARY_PACKED run, then the suffixes as DELTA_LENGTH_BYTE_ARRAY.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "floe/util/status.h"

namespace floe::parquet {

// Byte arrays stored back to back: value i is bytes[offsets[i], offsets[i+1]).
// One allocation for all values instead of one per value.
struct ByteArrayBuffer {
  std::string bytes;
  std::vector<size_t> offsets{0};

  size_t size() const { return offsets.size() - 1; }
  std::string_view operator[](size_t i) const {
    return std::string_view(bytes).substr(offsets[i], offsets[i + 1] - offsets[i]);
  }
  void Append(std::string_view value) {
    bytes.append(value);
    offsets.push_back(bytes.size());
  }
};

// Decoded values above this many bytes are refused: front coding can make a
// tiny page expand to any size (every value repeating a long prefix).
inline constexpr size_t kMaxDeltaByteArrayDecodedBytes = size_t{1} << 30;

// Appends the encoding of values.
void EncodeDeltaByteArray(std::span<const std::string_view> values, std::string* out);

// Decodes exactly num_values values and appends them to out. The first
// value's prefix refers to an empty previous value. Corruption for malformed
// runs, count mismatches, a prefix longer than the previous value, or a
// decoded size above max_decoded_bytes.
Status DecodeDeltaByteArray(std::span<const uint8_t> data, size_t num_values, ByteArrayBuffer* out,
                            size_t max_decoded_bytes = kMaxDeltaByteArrayDecodedBytes);

}  // namespace floe::parquet
