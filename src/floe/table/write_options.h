// How a table's data files are written, from its write.* properties as
// Iceberg Java reads them (TableProperties): file and row-group sizes,
// codec, page sizes and the metrics each column's data-file entry carries.
// Pipelines, appends and compaction share it.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "floe/format/parquet/column_writer.h"
#include "floe/format/parquet/iceberg_metrics.h"
#include "floe/iceberg/manifest.h"
#include "floe/schema/schema.h"
#include "floe/util/status.h"

namespace floe::table {

// write.metadata.metrics.default and write.metadata.metrics.column.<name>:
// none (no column metrics), counts (sizes and value / null / NaN counts),
// truncate(N) (counts and bounds, strings and binary cut to N), full.
struct MetricsMode {
  enum class Kind { kNone, kCounts, kTruncate, kFull };
  Kind kind = Kind::kTruncate;
  int length = parquet::kDefaultMetricsTruncateLength;
  static Result<MetricsMode> Parse(std::string_view text);
  bool operator==(const MetricsMode&) const = default;
};

struct DataWriteOptions {
  // write.target-file-size-bytes: a data file is finished once it reaches
  // this size (Java's default, 512 MiB).
  int64_t target_file_bytes = int64_t{512} << 20;
  // write.parquet.row-group-size-bytes, page-size-bytes, dict-size-bytes,
  // compression-codec, compression-level.
  parquet::WriterOptions parquet;
  MetricsMode default_metrics;
  std::map<int32_t, MetricsMode> column_metrics;  // by field id
  // Partitions written at once: rows of more partitions finish the least
  // recently used file. Each open file holds a descriptor and a row group.
  size_t max_open_files = 32;
  // Rows held in memory across all open files (batches not yet encoded and
  // encoded row groups not yet written); past it the largest row group is
  // written out early. Bounds a writer's memory whatever the partitions.
  int64_t max_buffered_bytes = int64_t{512} << 20;

  // The options of a table with `properties` and `schema` (for per-column
  // metrics by name); kInvalidArgument naming a malformed property.
  static Result<DataWriteOptions> FromProperties(
      const std::map<std::string, std::string>& properties, const Schema& schema);
};

// The truncate length to gather metrics at so that every column's mode can
// be applied after: the longest truncate(N), or no limit when one is full.
int LongestBoundNeeded(const DataWriteOptions& options);
// Sets the record count, size and column metrics of `file` from `metrics`.
void SetFileMetrics(const parquet::DataFileMetrics& metrics, iceberg::DataFile* file);

// Applies the metrics modes of `options` to metrics gathered at
// LongestBoundNeeded(options).
void ApplyMetricsModes(const DataWriteOptions& options, const Schema& schema,
                       parquet::DataFileMetrics* metrics);

}  // namespace floe::table
