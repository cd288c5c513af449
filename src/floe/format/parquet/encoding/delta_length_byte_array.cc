#include "floe/format/parquet/encoding/delta_length_byte_array.h"

#include "floe/format/parquet/encoding/delta_binary_packed.h"

namespace floe::parquet {

void EncodeDeltaLengthByteArray(std::span<const std::string_view> values, std::string* out) {
  std::vector<int32_t> lengths;
  lengths.reserve(values.size());
  size_t total = 0;
  for (std::string_view v : values) {
    lengths.push_back(static_cast<int32_t>(v.size()));
    total += v.size();
  }
  EncodeDeltaBinaryPacked(lengths, out);
  out->reserve(out->size() + total);
  for (std::string_view v : values) out->append(v);
}

Status DecodeDeltaLengthByteArray(std::span<const uint8_t> data, size_t num_values,
                                  std::vector<std::string_view>* out, size_t* consumed) {
  std::vector<int32_t> lengths;
  size_t pos = 0;
  Status status = DecodeDeltaBinaryPacked(data, num_values, &lengths, &pos);
  if (!status.ok()) return status.WithContext("DELTA_LENGTH_BYTE_ARRAY lengths");
  if (lengths.size() != num_values) {
    return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY holds {} values, expected {}",
                              lengths.size(), num_values);
  }
  // Check every length before producing any view.
  uint64_t total = 0;
  for (size_t i = 0; i < lengths.size(); ++i) {
    if (lengths[i] < 0) {
      return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY value {} has negative length {}", i,
                                lengths[i]);
    }
    total += static_cast<uint64_t>(lengths[i]);
  }
  if (total > data.size() - pos) {
    return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY lengths add up to {} bytes, {} left", total,
                              data.size() - pos);
  }
  const char* bytes = reinterpret_cast<const char*>(data.data());
  out->reserve(out->size() + lengths.size());
  for (int32_t length : lengths) {
    out->emplace_back(bytes + pos, static_cast<size_t>(length));
    pos += static_cast<size_t>(length);
  }
  if (consumed != nullptr) *consumed = pos;
  return Status::OK();
}

}  // namespace floe::parquet
