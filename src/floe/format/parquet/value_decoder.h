// Turns the value section of a data or dictionary page into floe values,
// one decoder per encoding, converting the physical type to the floe type the
// leaf maps to (see ValueConversion).
#pragma once

#include <span>

#include "floe/columnar/column.h"
#include "floe/format/parquet/schema_mapping.h"

namespace floe::parquet {

// Appends `count` values encoded with `encoding` in `data` to `out`, a column
// of leaf.type without nulls. `dictionary` holds the decoded dictionary for
// the dictionary encodings (nullptr when the chunk has none).
Status DecodeValues(const LeafColumn& leaf, Encoding encoding, std::span<const uint8_t> data,
                    int64_t count, const Column* dictionary, Column* out);

// The width of one PLAIN value of `leaf` when its PLAIN bytes are exactly
// the bytes of a floe column of leaf.type (fixed width, no conversion), so
// a page can be decompressed straight into the column; 0 otherwise.
int PlainColumnWidth(const LeafColumn& leaf);

// One PLAIN value as statistics store it (BYTE_ARRAY without its length
// prefix), decoded to a one-slot column of leaf.type.
Result<Column> DecodeStatisticsValue(const LeafColumn& leaf, std::string_view bytes);

}  // namespace floe::parquet
