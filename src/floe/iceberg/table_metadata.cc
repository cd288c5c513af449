#include "floe/iceberg/table_metadata.h"

#include <algorithm>

namespace floe::iceberg {

Result<TypePtr> PartitionSpec::PartitionType(const Schema& schema) const {
  std::vector<NestedField> tuple;
  for (const PartitionField& f : fields) {
    const NestedField* source = schema.FindById(f.source_id);
    if (source == nullptr) {
      return Status::InvalidArgument("partition field {}: source field {} is not in the schema",
                                     f.name, f.source_id);
    }
    FLOE_ASSIGN_OR_RETURN(TypePtr type, f.transform.ResultType(source->type));
    NestedField field;
    field.id = f.field_id;
    field.name = f.name;
    field.type = type;
    tuple.push_back(std::move(field));
  }
  return Type::Struct(std::move(tuple));
}

std::string Snapshot::operation() const {
  auto it = summary.find("operation");
  return it == summary.end() ? std::string() : it->second;
}

const Schema* TableMetadata::SchemaById(int32_t id) const {
  for (const Schema& s : schemas) {
    if (s.schema_id() == id) return &s;
  }
  return nullptr;
}

const PartitionSpec* TableMetadata::SpecById(int32_t id) const {
  for (const PartitionSpec& s : specs) {
    if (s.spec_id == id) return &s;
  }
  return nullptr;
}

Result<TypePtr> TableMetadata::PartitionTypeOf(int32_t spec_id) const {
  const PartitionSpec* spec = SpecById(spec_id);
  if (spec == nullptr) return Status::Corruption("no partition spec {}", spec_id);
  auto type = spec->PartitionType(*CurrentSchema());
  for (auto it = schemas.rbegin(); !type.ok() && it != schemas.rend(); ++it) {
    type = spec->PartitionType(*it);
  }
  return type;
}

const Snapshot* TableMetadata::SnapshotById(int64_t id) const {
  for (const Snapshot& s : snapshots) {
    if (s.snapshot_id == id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::CurrentSnapshot() const {
  return current_snapshot_id ? SnapshotById(*current_snapshot_id) : nullptr;
}

const Snapshot* TableMetadata::SnapshotAsOf(int64_t timestamp_ms) const {
  const Snapshot* found = nullptr;
  for (const SnapshotLogEntry& e : snapshot_log) {
    if (e.timestamp_ms > timestamp_ms) break;
    if (const Snapshot* s = SnapshotById(e.snapshot_id)) found = s;
  }
  return found;
}

Status TableMetadata::Validate() const {
  if (format_version < 1 || format_version > 3) {
    return Status::NotSupported("table format version {} (floe reads 1 to 3)", format_version);
  }
  if (CurrentSchema() == nullptr)
    return Status::Corruption("current schema {} does not exist", current_schema_id);
  if (DefaultSpec() == nullptr)
    return Status::Corruption("default partition spec {} does not exist", default_spec_id);
  const bool has_order =
      std::any_of(sort_orders.begin(), sort_orders.end(),
                  [&](const SortOrder& o) { return o.order_id == default_sort_order_id; });
  if (!has_order && !(default_sort_order_id == 0 && sort_orders.empty())) {
    return Status::Corruption("default sort order {} does not exist", default_sort_order_id);
  }
  if (next_row_id && *next_row_id < 0) {
    return Status::Corruption("next-row-id {} is negative", *next_row_id);
  }
  if (current_snapshot_id && CurrentSnapshot() == nullptr) {
    return Status::Corruption("current snapshot {} does not exist", *current_snapshot_id);
  }
  for (const auto& [name, ref] : refs) {
    if (SnapshotById(ref.snapshot_id) == nullptr) {
      return Status::Corruption("ref {} points to missing snapshot {}", name, ref.snapshot_id);
    }
  }
  if (auto main = refs.find("main");
      main != refs.end() && current_snapshot_id != main->second.snapshot_id) {
    return Status::Corruption("ref main ({}) differs from current-snapshot-id",
                              main->second.snapshot_id);
  }
  for (const Snapshot& s : snapshots) {
    if (format_version >= 2 && s.sequence_number > last_sequence_number) {
      return Status::Corruption("snapshot {} has sequence number {} above last-sequence-number {}",
                                s.snapshot_id, s.sequence_number, last_sequence_number);
    }
  }
  return Status::OK();
}

}  // namespace floe::iceberg
