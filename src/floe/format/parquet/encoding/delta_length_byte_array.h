// DELTA_LENGTH_BYTE_ARRAY (Encodings.md): the lengths of all byte arrays as
// one DELTA_BINARY_PACKED run, then their bytes back to back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "floe/util/status.h"

namespace floe::parquet {

// Appends the encoding of values.
void EncodeDeltaLengthByteArray(std::span<const std::string_view> values, std::string* out);

// Decodes exactly num_values byte arrays (the page's non-null count) and
// appends views of them to out; the views point into data, so data must
// outlive them. A length count other than num_values, a negative length or
// lengths past the end of data are Corruption. *consumed, when given,
// receives the bytes used (bytes after them are ignored).
Status DecodeDeltaLengthByteArray(std::span<const uint8_t> data, size_t num_values,
                                  std::vector<std::string_view>* out, size_t* consumed = nullptr);

}  // namespace floe::parquet
