// Iceberg data-file metrics for a Parquet file: the data_file fields
// column_sizes (108), value_counts (109), null_value_counts (110),
// nan_value_counts (137), lower_bounds (125) and upper_bounds (128), keyed by
// field id, in the table default metrics mode `truncate(16)`.
//
// Which field gets which metric follows PyIceberg (pyiceberg/io/pyarrow.py,
// data_file_statistics_from_parquet_metadata with compute_statistics_plan):
//   - every leaf column gets its column size and value count (Parquet
//     num_values: nulls and, under lists and maps, empty/null collections
//     included) and its null count when every chunk has one;
//   - bounds only for top-level primitive fields: PyIceberg downgrades any
//     field inside a struct, list or map to `counts` (Java keeps bounds for
//     struct children and drops everything but column sizes under lists and
//     maps);
//   - strings and binary bounds are truncated to 16 code points / bytes;
//     other types keep full bounds.
// Where floe deliberately differs (bounds that would not cover the data, NaN,
// zeros, surrogates, no-row files) the .cc says so next to the rule.
//
// Bounds are in the spec's single-value binary form (Appendix D): int/date
// 4-byte LE, long/time/timestamp* 8-byte LE, float/double LE IEEE, boolean one
// byte 0/1, string UTF-8, binary/fixed raw bytes, uuid 16 bytes big-endian,
// decimal minimal two's-complement big-endian unscaled value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "floe/format/parquet/file_writer.h"
#include "floe/format/parquet/metadata.h"
#include "floe/format/parquet/schema_mapping.h"

namespace floe::parquet {

// The `write.metadata.metrics.default` default: truncate(16).
inline constexpr int kDefaultMetricsTruncateLength = 16;

struct DataFileMetrics {
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  std::map<int32_t, int64_t> column_sizes;
  std::map<int32_t, int64_t> value_counts;
  std::map<int32_t, int64_t> null_value_counts;
  std::map<int32_t, int64_t> nan_value_counts;
  std::map<int32_t, std::string> lower_bounds;  // single-value binary form
  std::map<int32_t, std::string> upper_bounds;
  bool operator==(const DataFileMetrics&) const = default;
};

// Metrics of a file floe wrote, from what the writer saw: exact, and with NaN
// counts for every float/double leaf (a footer has none). REQUIRES: Close()
// succeeded.
DataFileMetrics MetricsFromWriter(const FileWriter& writer,
                                  int truncate_length = kDefaultMetricsTruncateLength);

// Metrics of any Parquet file from its footer (import of files floe did not
// write). No NaN counts, as in PyIceberg: Parquet statistics do not carry them.
// Errors when the footer does not match `schema` or a statistic is malformed.
Result<DataFileMetrics> MetricsFromFooter(const FileMetaData& meta, const FileSchema& schema,
                                          int64_t file_size,
                                          int truncate_length = kDefaultMetricsTruncateLength);

// JSON object with the fields above; map keys are field ids as strings, bounds
// are lowercase hex of their single-value binary form.
std::string DataFileMetricsToJson(const DataFileMetrics& metrics);

// truncate(N) for bounds. The lower bound of a string is its first `length`
// code points; of binary its first `length` bytes.
std::string TruncateStringLowerBound(std::string_view utf8, int length);
std::string TruncateBinaryLowerBound(std::string_view bytes, int length);
// The upper bound of a longer value is the prefix with its last incrementable
// code point (not U+10FFFF; U+D7FF steps over the surrogates to U+E000) or
// byte (not 0xFF) incremented; nullopt when there is none, i.e. no upper bound.
// Values within the length are returned whole. Invalid UTF-8 has no upper bound.
std::optional<std::string> TruncateStringUpperBound(std::string_view utf8, int length);
std::optional<std::string> TruncateBinaryUpperBound(std::string_view bytes, int length);

// One Parquet statistics value (PLAIN form, no length prefix) of `leaf` as an
// Iceberg single-value; nullopt when the bytes do not fit the type or the
// column has no usable bounds (INT96).
std::optional<std::string> IcebergBoundFromParquet(const LeafColumn& leaf, std::string_view plain);

}  // namespace floe::parquet
