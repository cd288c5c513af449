// Iceberg table metadata (spec "Table Metadata", "Snapshots", "Partitioning",
// "Sorting", "Snapshot References"): the model of a metadata.json file.
//
// Format v2 is what floe writes; v1 and v3 are read (v3's row-lineage fields
// are kept). JSON members floe does not model (statistics, partition
// statistics, encryption keys) are kept verbatim and written back.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "floe/iceberg/transform.h"
#include "floe/io/file_io.h"
#include "floe/schema/schema.h"

namespace floe::iceberg {

struct PartitionField {
  int32_t source_id = 0;
  int32_t field_id = 0;  // 1000 and up
  std::string name;
  Transform transform = Transform::Identity();
  bool operator==(const PartitionField&) const = default;
};

struct PartitionSpec {
  int32_t spec_id = 0;
  std::vector<PartitionField> fields;

  bool unpartitioned() const { return fields.empty(); }
  // The partition tuple's struct type: one optional field per partition field
  // (id field_id, the transform's result type of the source field).
  Result<TypePtr> PartitionType(const Schema& schema) const;
  bool operator==(const PartitionSpec&) const = default;
};

struct SortField {
  Transform transform = Transform::Identity();
  int32_t source_id = 0;
  bool ascending = true;
  bool nulls_first = true;
  bool operator==(const SortField&) const = default;
};

struct SortOrder {
  int32_t order_id = 0;  // 0 is the unsorted order
  std::vector<SortField> fields;
  bool operator==(const SortOrder&) const = default;
};

struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;  // 0 in v1 tables
  int64_t timestamp_ms = 0;
  std::string manifest_list;
  std::map<std::string, std::string> summary;  // "operation" and the optional counters
  std::optional<int32_t> schema_id;
  std::optional<int64_t> first_row_id;  // v3 row lineage
  std::optional<int64_t> added_rows;    // v3 row lineage

  std::string operation() const;
  bool operator==(const Snapshot&) const = default;
};

struct SnapshotRef {
  enum class Type : uint8_t { kBranch, kTag };
  int64_t snapshot_id = 0;
  Type type = Type::kBranch;
  std::optional<int32_t> min_snapshots_to_keep;  // branches only
  std::optional<int64_t> max_snapshot_age_ms;    // branches only
  std::optional<int64_t> max_ref_age_ms;
  bool operator==(const SnapshotRef&) const = default;
};

struct SnapshotLogEntry {
  int64_t timestamp_ms = 0;
  int64_t snapshot_id = 0;
  bool operator==(const SnapshotLogEntry&) const = default;
};

struct MetadataLogEntry {
  int64_t timestamp_ms = 0;
  std::string metadata_file;
  bool operator==(const MetadataLogEntry&) const = default;
};

struct TableMetadata {
  int format_version = 2;
  std::string table_uuid;
  std::string location;
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int32_t last_column_id = 0;
  std::vector<Schema> schemas;
  int32_t current_schema_id = 0;
  std::vector<PartitionSpec> specs;
  int32_t default_spec_id = 0;
  int32_t last_partition_id = 999;  // partition field ids start at 1000
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;
  std::vector<Snapshot> snapshots;
  std::vector<SnapshotLogEntry> snapshot_log;
  std::vector<MetadataLogEntry> metadata_log;
  std::vector<SortOrder> sort_orders;
  int32_t default_sort_order_id = 0;
  std::map<std::string, SnapshotRef> refs;
  std::optional<int64_t> next_row_id;  // v3
  // Members floe does not interpret, as JSON text, written back unchanged.
  std::map<std::string, std::string> unmodeled;

  const Schema* SchemaById(int32_t id) const;
  const Schema* CurrentSchema() const { return SchemaById(current_schema_id); }
  const PartitionSpec* SpecById(int32_t id) const;
  const PartitionSpec* DefaultSpec() const { return SpecById(default_spec_id); }
  // The partition tuple type of spec `spec_id`, its source fields looked up
  // in the current schema first, then in older ones (dropped columns).
  Result<TypePtr> PartitionTypeOf(int32_t spec_id) const;
  const Snapshot* SnapshotById(int64_t id) const;
  const Snapshot* CurrentSnapshot() const;
  // The snapshot current at `timestamp_ms` per the snapshot log (time travel
  // "as of"), or nullptr when the table had none yet.
  const Snapshot* SnapshotAsOf(int64_t timestamp_ms) const;

  // Ids, references and logs agree with each other (every referenced schema,
  // spec, sort order and snapshot exists; main matches current-snapshot-id).
  Status Validate() const;

  bool operator==(const TableMetadata&) const = default;
};

// metadata.json text <-> model. Parsing accepts format versions 1 to 3 and
// upgrades v1's single schema / partition-spec members to the lists.
Result<TableMetadata> TableMetadataFromJson(std::string_view json);
// Pretty-printed (2-space indent) JSON of the model, in the model's version.
std::string TableMetadataToJson(const TableMetadata& metadata);

// Reads and parses a metadata file (gzip-compressed ones too, as Java writes
// them with write.metadata.compression-codec=gzip); errors name the file and
// a missing file is kNotFound.
Result<TableMetadata> ReadTableMetadataFile(FileIO& io, const std::string& location);
// The same, shared with the process's cache of parsed metadata files (no copy).
Result<std::shared_ptr<const TableMetadata>> ReadTableMetadataFileShared(
    FileIO& io, const std::string& location);
// Writes `metadata` as a new metadata file at `location` (atomically, never
// over an existing file: FileIO::WriteAtomically) and remembers it, so
// reading it back in this process costs no parse.
Status WriteTableMetadataFile(FileIO& io, const std::string& location,
                              const TableMetadata& metadata);
// The text of a table or view metadata file, gunzipped when it is gzipped.
Result<std::string> ReadMetadataFileText(FileIO& io, const std::string& location);

}  // namespace floe::iceberg
