// Iceberg's single-value binary serialization (spec Appendix D), the form of
// column bounds in manifests and of partition summaries in manifest lists:
// little-endian numbers, UTF-8 text, raw bytes, big-endian uuids and minimal
// big-endian two's complement decimals.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "floe/columnar/column.h"
#include "floe/util/status.h"

namespace floe::iceberg {

// The single-value form of non-null slot `i` of a primitive column.
std::string SingleValue(const Column& column, int64_t i);

// Appends the value `bytes` encodes to `out`, a column of the value's type.
// Bounds written before a type promotion (int -> long, float -> double) are
// widened. Errors when the bytes cannot be a value of the type.
Status AppendSingleValue(std::string_view bytes, Column* out);

}  // namespace floe::iceberg
