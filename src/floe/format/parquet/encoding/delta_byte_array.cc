#include "floe/format/parquet/encoding/delta_byte_array.h"

#include <algorithm>

#include "floe/format/parquet/encoding/delta_binary_packed.h"
#include "floe/format/parquet/encoding/delta_length_byte_array.h"

namespace floe::parquet {

void EncodeDeltaByteArray(std::span<const std::string_view> values, std::string* out) {
  std::vector<int32_t> prefixes;
  std::vector<std::string_view> suffixes;
  prefixes.reserve(values.size());
  suffixes.reserve(values.size());
  std::string_view previous;
  for (std::string_view v : values) {
    const size_t limit = std::min(previous.size(), v.size());
    size_t prefix = 0;
    while (prefix < limit && previous[prefix] == v[prefix]) ++prefix;
    prefixes.push_back(static_cast<int32_t>(prefix));
    suffixes.push_back(v.substr(prefix));
    previous = v;
  }
  EncodeDeltaBinaryPacked(prefixes, out);
  EncodeDeltaLengthByteArray(suffixes, out);
}

Status DecodeDeltaByteArray(std::span<const uint8_t> data, size_t num_values, ByteArrayBuffer* out,
                            size_t max_decoded_bytes) {
  std::vector<int32_t> prefixes;
  size_t pos = 0;
  Status status = DecodeDeltaBinaryPacked(data, num_values, &prefixes, &pos);
  if (!status.ok()) return status.WithContext("DELTA_BYTE_ARRAY prefix lengths");
  if (prefixes.size() != num_values) {
    return Status::Corruption("DELTA_BYTE_ARRAY holds {} prefix lengths, expected {}",
                              prefixes.size(), num_values);
  }
  std::vector<std::string_view> suffixes;
  status = DecodeDeltaLengthByteArray(data.subspan(pos), num_values, &suffixes);
  if (!status.ok()) return status.WithContext("DELTA_BYTE_ARRAY suffixes");

  // Validate every prefix and size the output before copying a byte.
  uint64_t total = 0;
  uint64_t previous = 0;
  for (size_t i = 0; i < num_values; ++i) {
    if (prefixes[i] < 0 || static_cast<uint64_t>(prefixes[i]) > previous) {
      return Status::Corruption(
          "DELTA_BYTE_ARRAY value {} has prefix length {}, previous value "
          "has {} bytes",
          i, prefixes[i], previous);
    }
    previous = static_cast<uint64_t>(prefixes[i]) + suffixes[i].size();
    total += previous;
    if (total > max_decoded_bytes) {
      return Status::Corruption("DELTA_BYTE_ARRAY decodes to more than {} bytes",
                                max_decoded_bytes);
    }
  }
  out->bytes.reserve(out->bytes.size() + static_cast<size_t>(total));
  out->offsets.reserve(out->offsets.size() + num_values);
  size_t previous_start = out->bytes.size();
  for (size_t i = 0; i < num_values; ++i) {
    const size_t start = out->bytes.size();
    // Copy from the stored previous value (capacity is reserved, no realloc).
    out->bytes.append(out->bytes, previous_start, static_cast<size_t>(prefixes[i]));
    out->bytes.append(suffixes[i]);
    out->offsets.push_back(out->bytes.size());
    previous_start = start;
  }
  return Status::OK();
}

}  // namespace floe::parquet
