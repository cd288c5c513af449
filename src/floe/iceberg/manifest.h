// Manifest lists and manifests (spec "Manifests", "Manifest Lists"): reading
// the Avro files any Iceberg writer produces, with the spec's inheritance of
// snapshot ids and sequence numbers applied.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/io/file_io.h"
#include "floe/util/status.h"

namespace floe::iceberg {

// One partition field's summary in a manifest list entry.
struct FieldSummary {
  bool contains_null = false;
  std::optional<bool> contains_nan;
  std::optional<std::string> lower_bound;  // single-value binary form
  std::optional<std::string> upper_bound;
};

// A manifest list entry.
struct ManifestFile {
  std::string manifest_path;
  int64_t manifest_length = 0;
  int32_t partition_spec_id = 0;
  int32_t content = 0;  // 0 data, 1 deletes
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  int64_t added_snapshot_id = 0;
  std::optional<int32_t> added_files_count, existing_files_count, deleted_files_count;
  std::optional<int64_t> added_rows_count, existing_rows_count, deleted_rows_count;
  std::vector<FieldSummary> partitions;
  // v3 row lineage: the _row_id of the first row of the manifest's data
  // files that have no first_row_id of their own.
  std::optional<int64_t> first_row_id;
};

struct DataFile {
  int32_t content = 0;  // 0 data, 1 position deletes, 2 equality deletes
  std::string file_path;
  std::string file_format;     // "PARQUET", "AVRO", "ORC"
  int32_t spec_id = 0;         // the partition spec of `partition` (its manifest's)
  std::string partition_json;  // the partition tuple as a JSON object, by field name
  // The partition tuple, typed: one one-row column per partition field, in
  // spec order (filled when ReadManifest is given the partition type, and by
  // writers of new files).
  std::vector<Column> partition;
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  std::map<int32_t, int64_t> column_sizes, value_counts, null_value_counts, nan_value_counts;
  std::map<int32_t, std::string> lower_bounds, upper_bounds;
  std::vector<int64_t> split_offsets;
  std::vector<int32_t> equality_ids;  // equality deletes: the columns rows are deleted by
  std::optional<int32_t> sort_order_id;
  std::optional<int64_t> first_row_id;  // v3 row lineage
  // Deletes of one data file only (v2 optional, v3 deletion vectors).
  std::optional<std::string> referenced_data_file;
  // A deletion vector's blob inside its Puffin file (v3).
  std::optional<int64_t> content_offset, content_size_in_bytes;
};

struct ManifestEntry {
  int32_t status = 0;  // 0 existing, 1 added, 2 deleted
  int64_t snapshot_id = 0;
  std::optional<int64_t> sequence_number;  // data sequence number, after inheritance
  std::optional<int64_t> file_sequence_number;
  DataFile data_file;
};

Result<std::vector<ManifestFile>> ReadManifestList(FileIO& io, const std::string& path);
// Decides from an entry's status and typed partition tuple whether to keep it.
using EntryFilter = std::function<bool(int32_t status, const std::vector<Column>& partition)>;

// The entries of a manifest, inheriting snapshot id and sequence numbers from
// its manifest list entry where the file leaves them null, and data files'
// first_row_id from the manifest's (spec "First Row ID Inheritance"). With the partition
// type of the manifest's spec (TableMetadata::PartitionTypeOf), each data
// file's typed `partition` is filled too, matching fields by field id. With a
// filter, entries it rejects are skipped before the rest of them is decoded.
Result<std::vector<ManifestEntry>> ReadManifest(FileIO& io, const ManifestFile& manifest,
                                                const TypePtr& partition_type = nullptr,
                                                const EntryFilter& filter = nullptr);

}  // namespace floe::iceberg
