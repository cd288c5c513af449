#include "floe/iceberg/table_update.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "floe/util/json_parse.h"

namespace floe::iceberg {

Status SetProperties(const std::map<std::string, std::string>& updates, TableMetadata* m) {
  for (const auto& [k, v] : updates) {
    if (k.empty()) return Status::InvalidArgument("empty property name");
    m->properties[k] = v;
  }
  return Status::OK();
}

Status UpgradeFormatVersion(int version, TableMetadata* m) {
  if (version < m->format_version) {
    return Status::InvalidArgument("Cannot downgrade v{} table to v{}", m->format_version, version);
  }
  if (version > 3) {
    return Status::NotSupported("floe writes format versions 1 to 3; v{} is not supported",
                                version);
  }
  m->format_version = version;
  if (version >= 3 && !m->next_row_id) m->next_row_id = 0;
  return Status::OK();
}

Status RemoveProperties(const std::vector<std::string>& keys, TableMetadata* m) {
  for (const std::string& k : keys)
    m->properties.erase(k);  // removing an absent key is not an error
  return Status::OK();
}

Status SetRef(const std::string& name, const SnapshotRef& ref, int64_t now_ms, TableMetadata* m) {
  if (name.empty()) return Status::InvalidArgument("empty reference name");
  if (m->SnapshotById(ref.snapshot_id) == nullptr) {
    return Status::InvalidArgument("snapshot {} does not exist", ref.snapshot_id);
  }
  if (ref.type == SnapshotRef::Type::kTag &&
      (ref.min_snapshots_to_keep || ref.max_snapshot_age_ms)) {
    return Status::InvalidArgument("tag {}: snapshot retention applies to branches only", name);
  }
  if (auto it = m->refs.find(name); it != m->refs.end() && it->second.type != ref.type) {
    return Status::InvalidArgument("{} is a {}, not a {}", name,
                                   it->second.type == SnapshotRef::Type::kTag ? "tag" : "branch",
                                   ref.type == SnapshotRef::Type::kTag ? "tag" : "branch");
  }
  if (name == "main") {
    if (ref.type != SnapshotRef::Type::kBranch)
      return Status::InvalidArgument("main must be a branch");
    if (m->current_snapshot_id != ref.snapshot_id) {
      m->current_snapshot_id = ref.snapshot_id;
      m->snapshot_log.push_back({now_ms, ref.snapshot_id});
    }
  }
  m->refs[name] = ref;
  return Status::OK();
}

Status RemoveRef(const std::string& name, TableMetadata* m) {
  if (name == "main") return Status::InvalidArgument("the main branch cannot be removed");
  if (m->refs.erase(name) == 0) return Status::NotFound("no branch or tag named {}", name);
  return Status::OK();
}

namespace {

using Json = nlohmann::json;

// The statistics list `key` of `m` (empty when it has none).
Json StatisticsList(std::string_view key, const TableMetadata& m) {
  auto it = m.unmodeled.find(std::string(key));
  if (it == m.unmodeled.end()) return Json::array();
  Json list = ParseJsonOrDiscarded(it->second);
  return list.is_array() ? list : Json::array();
}

void StoreStatisticsList(std::string_view key, const Json& list, TableMetadata* m) {
  if (list.empty()) {
    m->unmodeled.erase(std::string(key));
  } else {
    m->unmodeled[std::string(key)] = list.dump();
  }
}

// `list` less the files of the snapshots in `snapshot_ids`.
Json Without(const Json& list, const std::set<int64_t>& snapshot_ids) {
  Json out = Json::array();
  for (const Json& file : list) {
    auto id = file.is_object() ? file.find("snapshot-id") : file.end();
    const bool of_snapshot =
        id != file.end() && id->is_number_integer() && snapshot_ids.contains(id->get<int64_t>());
    if (!of_snapshot) out.push_back(file);
  }
  return out;
}

}  // namespace

Status SetStatisticsFile(std::string_view list_key, std::string_view file, TableMetadata* m) {
  const Json j = ParseJsonOrDiscarded(file);
  auto id = j.is_object() ? j.find("snapshot-id") : j.end();
  auto path = j.is_object() ? j.find("statistics-path") : j.end();
  if (id == j.end() || !id->is_number_integer() || path == j.end() || !path->is_string()) {
    return Status::InvalidArgument(
        "a statistics file needs an integer snapshot-id and a statistics-path: {}",
        std::string(file));
  }
  Json list = Without(StatisticsList(list_key, *m), {id->get<int64_t>()});
  list.push_back(j);
  StoreStatisticsList(list_key, list, m);
  return Status::OK();
}

void RemoveStatisticsFile(std::string_view list_key, int64_t snapshot_id, TableMetadata* m) {
  StoreStatisticsList(list_key, Without(StatisticsList(list_key, *m), {snapshot_id}), m);
}

Status RemoveSnapshots(const std::vector<int64_t>& snapshot_ids, TableMetadata* m) {
  const std::set<int64_t> gone(snapshot_ids.begin(), snapshot_ids.end());
  for (const char* key : {"statistics", "partition-statistics"}) {
    if (m->unmodeled.contains(key))
      StoreStatisticsList(key, Without(StatisticsList(key, *m), gone), m);
  }
  std::erase_if(m->snapshots, [&](const Snapshot& s) { return gone.contains(s.snapshot_id); });
  std::erase_if(m->refs, [&](const auto& ref) { return gone.contains(ref.second.snapshot_id); });
  if (m->current_snapshot_id && gone.contains(*m->current_snapshot_id)) {
    m->current_snapshot_id.reset();
  }
  auto last_gone =
      std::find_if(m->snapshot_log.rbegin(), m->snapshot_log.rend(),
                   [&](const SnapshotLogEntry& e) { return gone.contains(e.snapshot_id); });
  if (last_gone != m->snapshot_log.rend()) {
    m->snapshot_log.erase(m->snapshot_log.begin(), last_gone.base());
  }
  return Status::OK();
}

Result<int32_t> AddSchema(Schema schema, TableMetadata* m) {
  FLOE_RETURN_IF_ERROR(schema.Validate());
  for (const Schema& existing : m->schemas) {
    if (existing.fields() == schema.fields() &&
        existing.identifier_field_ids() == schema.identifier_field_ids()) {
      return existing.schema_id();
    }
  }
  int32_t id = m->current_schema_id;
  for (const Schema& existing : m->schemas) id = std::max(id, existing.schema_id());
  ++id;
  m->last_column_id = std::max(m->last_column_id, schema.HighestFieldId());
  m->schemas.push_back(Schema(schema.fields(), id, schema.identifier_field_ids()));
  return id;
}

Result<int32_t> AddPartitionSpec(PartitionSpec spec, TableMetadata* m) {
  // A table being created may have its schema added but not yet made
  // current (DuckDB sends set-current-schema last): the spec binds to it.
  const Schema* schema = m->CurrentSchema();
  if (schema == nullptr && !m->schemas.empty()) schema = &m->schemas.back();
  if (schema == nullptr) return Status::InvalidArgument("the table has no schema");
  FLOE_RETURN_IF_ERROR(spec.PartitionType(*schema).status());
  auto compatible = [&](const PartitionSpec& existing) {
    if (existing.fields.size() != spec.fields.size()) return false;
    for (size_t i = 0; i < spec.fields.size(); ++i) {
      const PartitionField &a = existing.fields[i], &b = spec.fields[i];
      if (a.source_id != b.source_id || !(a.transform == b.transform) || a.name != b.name) {
        return false;
      }
    }
    return true;
  };
  for (const PartitionSpec& existing : m->specs) {
    if (compatible(existing)) return existing.spec_id;
  }
  int32_t id = -1;
  for (const PartitionSpec& existing : m->specs) id = std::max(id, existing.spec_id);
  spec.spec_id = id + 1;
  for (PartitionField& f : spec.fields) {
    m->last_partition_id = std::max(m->last_partition_id, f.field_id);
  }
  m->specs.push_back(std::move(spec));
  return id + 1;
}

Result<int32_t> AddSortOrder(SortOrder order, TableMetadata* m) {
  if (order.fields.empty()) {  // the unsorted order, which a table being created may lack
    if (std::none_of(m->sort_orders.begin(), m->sort_orders.end(),
                     [](const SortOrder& o) { return o.order_id == 0; })) {
      m->sort_orders.insert(m->sort_orders.begin(), SortOrder{});
    }
    return 0;
  }
  for (const SortOrder& existing : m->sort_orders) {
    if (existing.fields == order.fields) return existing.order_id;
  }
  int32_t id = 0;
  for (const SortOrder& existing : m->sort_orders) id = std::max(id, existing.order_id);
  order.order_id = id + 1;
  m->sort_orders.push_back(std::move(order));
  return id + 1;
}

Status RemoveSchemas(const std::vector<int32_t>& schema_ids, TableMetadata* m) {
  const std::set<int32_t> gone(schema_ids.begin(), schema_ids.end());
  if (gone.contains(m->current_schema_id))
    return Status::InvalidArgument("Cannot remove the current schema");
  std::erase_if(m->schemas, [&](const Schema& s) { return gone.contains(s.schema_id()); });
  return Status::OK();
}

Status RemovePartitionSpecs(const std::vector<int32_t>& spec_ids, TableMetadata* m) {
  const std::set<int32_t> gone(spec_ids.begin(), spec_ids.end());
  if (gone.contains(m->default_spec_id))
    return Status::InvalidArgument("Cannot remove the default partition spec");
  std::erase_if(m->specs, [&](const PartitionSpec& s) { return gone.contains(s.spec_id); });
  return Status::OK();
}

Status SetCurrentSnapshot(int64_t snapshot_id, int64_t now_ms, TableMetadata* m) {
  SnapshotRef main;
  if (auto it = m->refs.find("main"); it != m->refs.end()) main = it->second;
  main.snapshot_id = snapshot_id;
  main.type = SnapshotRef::Type::kBranch;
  return SetRef("main", main, now_ms, m);
}

Status RollbackTo(int64_t snapshot_id, int64_t now_ms, TableMetadata* m) {
  for (const Snapshot* s = m->CurrentSnapshot(); s != nullptr;
       s = s->parent_snapshot_id ? m->SnapshotById(*s->parent_snapshot_id) : nullptr) {
    if (s->snapshot_id == snapshot_id) return SetCurrentSnapshot(snapshot_id, now_ms, m);
  }
  return Status::InvalidArgument("snapshot {} is not an ancestor of the current snapshot",
                                 snapshot_id);
}

bool ChangeVisibleIn(const TableMetadata& base, const TableMetadata& next,
                     const TableMetadata& current) {
  bool added = false;
  for (const Snapshot& s : next.snapshots) {
    if (base.SnapshotById(s.snapshot_id) != nullptr) continue;
    if (current.SnapshotById(s.snapshot_id) == nullptr) return false;
    added = true;
  }
  if (added) return true;
  if (current.table_uuid != next.table_uuid) return false;
  for (const Schema& s : next.schemas) {
    if (base.SchemaById(s.schema_id()) != nullptr) continue;
    const Schema* now = current.SchemaById(s.schema_id());
    if (now == nullptr || !(now->fields() == s.fields())) return false;
  }
  for (const PartitionSpec& spec : next.specs) {
    if (base.SpecById(spec.spec_id) != nullptr) continue;
    const PartitionSpec* now = current.SpecById(spec.spec_id);
    if (now == nullptr || !(*now == spec)) return false;
  }
  for (const SortOrder& order : next.sort_orders) {
    auto known = [&](const TableMetadata& m) {
      return std::find(m.sort_orders.begin(), m.sort_orders.end(), order) != m.sort_orders.end();
    };
    if (!known(base) && !known(current)) return false;
  }
  for (const auto& [name, ref] : next.refs) {
    auto was = base.refs.find(name);
    if (was != base.refs.end() && was->second == ref) continue;
    auto now = current.refs.find(name);
    if (now == current.refs.end() || !(now->second == ref)) return false;
  }
  for (const auto& [name, ref] : base.refs) {
    if (!next.refs.contains(name) && current.refs.contains(name)) return false;
  }
  for (const auto& [key, value] : next.properties) {
    auto was = base.properties.find(key);
    if (was != base.properties.end() && was->second == value) continue;
    auto now = current.properties.find(key);
    if (now == current.properties.end() || now->second != value) return false;
  }
  for (const auto& [key, value] : base.properties) {
    if (!next.properties.contains(key) && current.properties.contains(key)) return false;
  }
  auto same_if_changed = [](auto base_value, auto next_value, auto current_value) {
    return base_value == next_value || next_value == current_value;
  };
  return same_if_changed(base.current_schema_id, next.current_schema_id,
                         current.current_schema_id) &&
         same_if_changed(base.default_spec_id, next.default_spec_id, current.default_spec_id) &&
         same_if_changed(base.default_sort_order_id, next.default_sort_order_id,
                         current.default_sort_order_id) &&
         same_if_changed(base.location, next.location, current.location) &&
         same_if_changed(base.format_version, next.format_version, current.format_version);
}

}  // namespace floe::iceberg
