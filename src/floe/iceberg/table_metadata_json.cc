// Table metadata JSON serde (spec Appendix C, "Table Metadata and Snapshots").
#include <limits>
#include <nlohmann/json.hpp>

#include "floe/iceberg/table_metadata.h"
#include "floe/iceberg/table_metadata_json_internal.h"
#include "floe/schema/schema_json_internal.h"
#include "floe/util/json_parse.h"
#include "floe/util/json_writer.h"

namespace floe::iceberg {
namespace {

using Json = nlohmann::json;

// Typed access to members with errors that name the member.
class Reader {
 public:
  Reader(const Json& j, std::string where) : j_(j), where_(std::move(where)) {}

  const Json* Find(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }

  template <typename T>
  Result<T> Required(const char* key) const {
    const Json* v = Find(key);
    if (v == nullptr) return Status::Corruption("{}: missing \"{}\"", where_, key);
    return As<T>(*v, key);
  }

  template <typename T>
  Result<std::optional<T>> Optional(const char* key) const {
    const Json* v = Find(key);
    if (v == nullptr) return std::optional<T>();
    FLOE_ASSIGN_OR_RETURN(T value, As<T>(*v, key));
    return std::optional<T>(std::move(value));
  }

  const std::string& where() const { return where_; }

 private:
  template <typename T>
  Result<T> As(const Json& v, const char* key) const {
    if constexpr (std::is_same_v<T, std::string>) {
      if (v.is_string()) return v.get<std::string>();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (v.is_boolean()) return v.get<bool>();
    } else {
      if (v.is_number_integer() && v >= std::numeric_limits<T>::min() &&
          v <= std::numeric_limits<T>::max()) {
        return v.get<T>();
      }
    }
    return Status::Corruption("{}: \"{}\" has the wrong type ({})", where_, key,
                              v.dump().substr(0, 40));
  }

  const Json& j_;
  std::string where_;
};

Result<Transform> ParseTransform(const Reader& r) {
  FLOE_ASSIGN_OR_RETURN(std::string text, r.Required<std::string>("transform"));
  auto t = Transform::Parse(text);
  // In a stored file a bad transform is corruption, not a usage error.
  if (!t.ok()) return Status::Corruption("{}: {}", r.where(), t.status().message());
  return t;
}

Result<PartitionSpec> SpecFromJson(const Json& j, int32_t spec_id_if_missing,
                                   int32_t* next_v1_field_id) {
  PartitionSpec spec;
  const Json* fields = &j;
  if (j.is_object()) {
    Reader r(j, "partition spec");
    FLOE_ASSIGN_OR_RETURN(spec.spec_id, r.Required<int32_t>("spec-id"));
    fields = r.Find("fields");
    if (fields == nullptr)
      return Status::Corruption("partition spec {}: missing \"fields\"", spec.spec_id);
  } else {
    spec.spec_id = spec_id_if_missing;  // v1's bare list of fields
  }
  if (!fields->is_array())
    return Status::Corruption("partition spec {}: fields must be a list", spec.spec_id);
  for (const Json& f : *fields) {
    Reader r(f, "partition field");
    PartitionField field;
    FLOE_ASSIGN_OR_RETURN(field.source_id, r.Required<int32_t>("source-id"));
    FLOE_ASSIGN_OR_RETURN(field.name, r.Required<std::string>("name"));
    FLOE_ASSIGN_OR_RETURN(field.transform, ParseTransform(r));
    FLOE_ASSIGN_OR_RETURN(auto id, r.Optional<int32_t>("field-id"));
    // v1 writers may omit field ids; the reference assigned 1000, 1001, ...
    field.field_id = id ? *id : (*next_v1_field_id)++;
    spec.fields.push_back(std::move(field));
  }
  return spec;
}

Json SpecToJson(const PartitionSpec& spec) {
  Json fields = Json::array();
  for (const PartitionField& f : spec.fields) {
    fields.push_back({{"name", f.name},
                      {"transform", f.transform.ToString()},
                      {"source-id", f.source_id},
                      {"field-id", f.field_id}});
  }
  return {{"spec-id", spec.spec_id}, {"fields", std::move(fields)}};
}

Result<SortOrder> SortOrderFromJson(const Json& j) {
  Reader r(j, "sort order");
  SortOrder order;
  FLOE_ASSIGN_OR_RETURN(order.order_id, r.Required<int32_t>("order-id"));
  const Json* fields = r.Find("fields");
  if (fields == nullptr || !fields->is_array())
    return Status::Corruption("sort order: fields must be a list");
  for (const Json& f : *fields) {
    Reader fr(f, "sort field");
    SortField field;
    FLOE_ASSIGN_OR_RETURN(field.transform, ParseTransform(fr));
    FLOE_ASSIGN_OR_RETURN(field.source_id, fr.Required<int32_t>("source-id"));
    FLOE_ASSIGN_OR_RETURN(std::string direction, fr.Required<std::string>("direction"));
    FLOE_ASSIGN_OR_RETURN(std::string nulls, fr.Required<std::string>("null-order"));
    if ((direction != "asc" && direction != "desc") ||
        (nulls != "nulls-first" && nulls != "nulls-last")) {
      return Status::Corruption("sort field: direction '{}' / null-order '{}'", direction, nulls);
    }
    field.ascending = direction == "asc";
    field.nulls_first = nulls == "nulls-first";
    order.fields.push_back(std::move(field));
  }
  return order;
}

Json SortOrderToJson(const SortOrder& order) {
  Json fields = Json::array();
  for (const SortField& f : order.fields) {
    fields.push_back({{"transform", f.transform.ToString()},
                      {"source-id", f.source_id},
                      {"direction", f.ascending ? "asc" : "desc"},
                      {"null-order", f.nulls_first ? "nulls-first" : "nulls-last"}});
  }
  return {{"order-id", order.order_id}, {"fields", std::move(fields)}};
}

Result<std::map<std::string, std::string>> StringMap(const Json* j, const char* what) {
  std::map<std::string, std::string> out;
  if (j == nullptr) return out;
  if (!j->is_object()) return Status::Corruption("{} must be an object", what);
  for (const auto& [k, v] : j->items()) {
    if (!v.is_string()) return Status::Corruption("{}: value of '{}' is not a string", what, k);
    out[k] = v.get<std::string>();
  }
  return out;
}

Result<Snapshot> SnapshotFromJson(const Json& j) {
  Reader r(j, "snapshot");
  Snapshot s;
  FLOE_ASSIGN_OR_RETURN(s.snapshot_id, r.Required<int64_t>("snapshot-id"));
  Reader named(j, fmt::format("snapshot {}", s.snapshot_id));
  FLOE_ASSIGN_OR_RETURN(s.parent_snapshot_id, named.Optional<int64_t>("parent-snapshot-id"));
  FLOE_ASSIGN_OR_RETURN(auto seq, named.Optional<int64_t>("sequence-number"));
  s.sequence_number = seq.value_or(0);
  FLOE_ASSIGN_OR_RETURN(s.timestamp_ms, named.Required<int64_t>("timestamp-ms"));
  FLOE_ASSIGN_OR_RETURN(auto list, named.Optional<std::string>("manifest-list"));
  if (!list) {
    // v1 tables could list manifests inline instead; floe reads manifest lists only.
    if (named.Find("manifests"))
      return Status::NotSupported("snapshot {}: inline manifests (v1)", s.snapshot_id);
    return Status::Corruption("snapshot {}: missing \"manifest-list\"", s.snapshot_id);
  }
  s.manifest_list = *list;
  FLOE_ASSIGN_OR_RETURN(s.summary, StringMap(named.Find("summary"), "snapshot summary"));
  FLOE_ASSIGN_OR_RETURN(s.schema_id, named.Optional<int32_t>("schema-id"));
  FLOE_ASSIGN_OR_RETURN(s.first_row_id, named.Optional<int64_t>("first-row-id"));
  FLOE_ASSIGN_OR_RETURN(s.added_rows, named.Optional<int64_t>("added-rows"));
  return s;
}

Json SnapshotToJson(const Snapshot& s, int format_version) {
  Json j = {{"snapshot-id", s.snapshot_id},
            {"timestamp-ms", s.timestamp_ms},
            {"manifest-list", s.manifest_list},
            {"summary", s.summary}};
  if (s.parent_snapshot_id) j["parent-snapshot-id"] = *s.parent_snapshot_id;
  if (format_version >= 2) j["sequence-number"] = s.sequence_number;
  if (s.schema_id) j["schema-id"] = *s.schema_id;
  if (s.first_row_id) j["first-row-id"] = *s.first_row_id;
  if (s.added_rows) j["added-rows"] = *s.added_rows;
  return j;
}

Result<SnapshotRef> RefFromJson(const std::string& name, const Json& j) {
  Reader r(j, "ref " + name);
  SnapshotRef ref;
  FLOE_ASSIGN_OR_RETURN(ref.snapshot_id, r.Required<int64_t>("snapshot-id"));
  FLOE_ASSIGN_OR_RETURN(std::string type, r.Required<std::string>("type"));
  if (type != "branch" && type != "tag") return Status::Corruption("ref {}: type '{}'", name, type);
  ref.type = type == "tag" ? SnapshotRef::Type::kTag : SnapshotRef::Type::kBranch;
  FLOE_ASSIGN_OR_RETURN(ref.min_snapshots_to_keep, r.Optional<int32_t>("min-snapshots-to-keep"));
  FLOE_ASSIGN_OR_RETURN(ref.max_snapshot_age_ms, r.Optional<int64_t>("max-snapshot-age-ms"));
  FLOE_ASSIGN_OR_RETURN(ref.max_ref_age_ms, r.Optional<int64_t>("max-ref-age-ms"));
  return ref;
}

Json RefToJson(const SnapshotRef& ref) {
  Json j = {{"snapshot-id", ref.snapshot_id},
            {"type", ref.type == SnapshotRef::Type::kTag ? "tag" : "branch"}};
  if (ref.min_snapshots_to_keep) j["min-snapshots-to-keep"] = *ref.min_snapshots_to_keep;
  if (ref.max_snapshot_age_ms) j["max-snapshot-age-ms"] = *ref.max_snapshot_age_ms;
  if (ref.max_ref_age_ms) j["max-ref-age-ms"] = *ref.max_ref_age_ms;
  return j;
}

template <typename T, typename F>
Status ParseList(const Json* j, const char* what, F&& parse, std::vector<T>* out) {
  if (j == nullptr) return Status::OK();
  if (!j->is_array()) return Status::Corruption("{} must be a list", what);
  for (const Json& item : *j) {
    FLOE_ASSIGN_OR_RETURN(T value, parse(item));
    out->push_back(std::move(value));
  }
  return Status::OK();
}

constexpr const char* kUnmodeled[] = {"statistics", "partition-statistics", "encryption-keys"};

Result<TableMetadata> FromJson(const Json& j) {
  if (!j.is_object()) return Status::Corruption("table metadata must be a JSON object");
  Reader r(j, "table metadata");
  TableMetadata m;
  FLOE_ASSIGN_OR_RETURN(m.format_version, r.Required<int>("format-version"));
  if (m.format_version < 1 || m.format_version > 3) {
    return Status::NotSupported("table format version {} (floe reads 1 to 3)", m.format_version);
  }
  const bool v1 = m.format_version == 1;
  FLOE_ASSIGN_OR_RETURN(auto uuid, r.Optional<std::string>("table-uuid"));
  if (!uuid && !v1) return Status::Corruption("table metadata: missing \"table-uuid\"");
  m.table_uuid = uuid.value_or("");
  FLOE_ASSIGN_OR_RETURN(m.location, r.Required<std::string>("location"));
  FLOE_ASSIGN_OR_RETURN(auto last_seq, r.Optional<int64_t>("last-sequence-number"));
  if (!last_seq && !v1)
    return Status::Corruption("table metadata: missing \"last-sequence-number\"");
  m.last_sequence_number = last_seq.value_or(0);
  FLOE_ASSIGN_OR_RETURN(m.last_updated_ms, r.Required<int64_t>("last-updated-ms"));
  FLOE_ASSIGN_OR_RETURN(m.last_column_id, r.Required<int32_t>("last-column-id"));

  // Schemas: the list, or v1's single schema.
  if (const Json* schemas = r.Find("schemas")) {
    FLOE_RETURN_IF_ERROR(ParseList(
        schemas, "schemas", [](const Json& s) { return floe::internal::SchemaFromJsonValue(s); },
        &m.schemas));
    FLOE_ASSIGN_OR_RETURN(m.current_schema_id, r.Required<int32_t>("current-schema-id"));
  } else if (const Json* schema = r.Find("schema"); schema && v1) {
    FLOE_ASSIGN_OR_RETURN(Schema s, floe::internal::SchemaFromJsonValue(*schema));
    m.current_schema_id = s.schema_id();
    m.schemas.push_back(std::move(s));
  } else {
    return Status::Corruption("table metadata: missing \"schemas\"");
  }

  // Partition specs: the list, or v1's bare current spec.
  int32_t next_v1_field_id = 1000;
  if (const Json* specs = r.Find("partition-specs")) {
    FLOE_RETURN_IF_ERROR(ParseList(
        specs, "partition-specs",
        [&](const Json& s) { return SpecFromJson(s, 0, &next_v1_field_id); }, &m.specs));
    FLOE_ASSIGN_OR_RETURN(m.default_spec_id, r.Required<int32_t>("default-spec-id"));
  } else if (const Json* spec = r.Find("partition-spec"); spec && v1) {
    FLOE_ASSIGN_OR_RETURN(PartitionSpec s, SpecFromJson(*spec, 0, &next_v1_field_id));
    m.specs.push_back(std::move(s));
    m.default_spec_id = 0;
  } else {
    return Status::Corruption("table metadata: missing \"partition-specs\"");
  }
  int32_t highest_partition_field = 999;
  for (const PartitionSpec& s : m.specs) {
    for (const PartitionField& f : s.fields)
      highest_partition_field = std::max(highest_partition_field, f.field_id);
  }
  FLOE_ASSIGN_OR_RETURN(auto last_partition_id, r.Optional<int32_t>("last-partition-id"));
  m.last_partition_id = last_partition_id.value_or(highest_partition_field);

  FLOE_ASSIGN_OR_RETURN(m.properties, StringMap(r.Find("properties"), "properties"));
  FLOE_ASSIGN_OR_RETURN(m.current_snapshot_id, r.Optional<int64_t>("current-snapshot-id"));
  if (m.current_snapshot_id == -1) m.current_snapshot_id.reset();  // older writers' "none"
  FLOE_RETURN_IF_ERROR(ParseList(r.Find("snapshots"), "snapshots", SnapshotFromJson, &m.snapshots));
  FLOE_RETURN_IF_ERROR(ParseList(
      r.Find("snapshot-log"), "snapshot-log",
      [](const Json& e) -> Result<SnapshotLogEntry> {
        Reader er(e, "snapshot-log entry");
        SnapshotLogEntry entry;
        FLOE_ASSIGN_OR_RETURN(entry.timestamp_ms, er.Required<int64_t>("timestamp-ms"));
        FLOE_ASSIGN_OR_RETURN(entry.snapshot_id, er.Required<int64_t>("snapshot-id"));
        return entry;
      },
      &m.snapshot_log));
  FLOE_RETURN_IF_ERROR(ParseList(
      r.Find("metadata-log"), "metadata-log",
      [](const Json& e) -> Result<MetadataLogEntry> {
        Reader er(e, "metadata-log entry");
        MetadataLogEntry entry;
        FLOE_ASSIGN_OR_RETURN(entry.timestamp_ms, er.Required<int64_t>("timestamp-ms"));
        FLOE_ASSIGN_OR_RETURN(entry.metadata_file, er.Required<std::string>("metadata-file"));
        return entry;
      },
      &m.metadata_log));
  FLOE_RETURN_IF_ERROR(
      ParseList(r.Find("sort-orders"), "sort-orders", SortOrderFromJson, &m.sort_orders));
  FLOE_ASSIGN_OR_RETURN(auto default_order, r.Optional<int32_t>("default-sort-order-id"));
  m.default_sort_order_id = default_order.value_or(0);
  if (const Json* refs = r.Find("refs")) {
    if (!refs->is_object()) return Status::Corruption("refs must be an object");
    for (const auto& [name, ref] : refs->items()) {
      FLOE_ASSIGN_OR_RETURN(m.refs[name], RefFromJson(name, ref));
    }
  }
  // There is always a main branch at the current snapshot (spec "refs").
  if (m.current_snapshot_id && !m.refs.contains("main")) {
    SnapshotRef main;
    main.snapshot_id = *m.current_snapshot_id;
    m.refs["main"] = main;
  }
  FLOE_ASSIGN_OR_RETURN(m.next_row_id, r.Optional<int64_t>("next-row-id"));
  for (const char* key : kUnmodeled) {
    if (const Json* v = r.Find(key)) m.unmodeled[key] = v->dump();
  }
  FLOE_RETURN_IF_ERROR(m.Validate());
  return m;
}

}  // namespace

Result<TableMetadata> TableMetadataFromJson(std::string_view json) {
  auto j = ParseJson(json, "table metadata");
  if (!j.ok()) return Status::Corruption("{}", j.status().message());
  return FromJson(*j);
}

namespace internal {

Result<TableMetadata> TableMetadataFromJsonValue(const Json& j) {
  return FromJson(j);
}
Result<Snapshot> SnapshotFromJsonValue(const Json& j) {
  return SnapshotFromJson(j);
}
Json SnapshotToJsonValue(const Snapshot& snapshot, int format_version) {
  return SnapshotToJson(snapshot, format_version);
}
Json SnapshotRefToJsonValue(const SnapshotRef& ref) {
  return RefToJson(ref);
}
Result<SnapshotRef> SnapshotRefFromJsonValue(const std::string& name, const Json& j) {
  return RefFromJson(name, j);
}
Result<PartitionSpec> PartitionSpecFromJsonValue(const Json& j, int32_t spec_id_if_missing) {
  if (!j.is_object()) return Status::Corruption("a partition spec must be an object");
  Json with_id = j;
  if (!with_id.contains("spec-id")) with_id["spec-id"] = spec_id_if_missing;
  int32_t next_field_id = 1000;  // for fields without ids
  return SpecFromJson(with_id, spec_id_if_missing, &next_field_id);
}
Json PartitionSpecToJsonValue(const PartitionSpec& spec) {
  return SpecToJson(spec);
}
Result<SortOrder> SortOrderFromJsonValue(const Json& j) {
  return SortOrderFromJson(j);
}
Json SortOrderToJsonValue(const SortOrder& order) {
  return SortOrderToJson(order);
}

}  // namespace internal

// Written with JsonWriter rather than through a DOM: the snapshots and logs
// grow with the table's history and are written on every commit (and sent
// on every load). The small members (schemas, specs, orders, refs) go
// through their DOM helpers.
std::string TableMetadataToJson(const TableMetadata& m) {
  JsonWriter w;
  auto dom = [&](const Json& j) { w.Raw(j.dump(-1, ' ', false, Json::error_handler_t::replace)); };
  w.BeginObject()
      .Member("format-version", int64_t{m.format_version})
      .Member("table-uuid", m.table_uuid)
      .Member("location", m.location);
  if (m.format_version >= 2) w.Member("last-sequence-number", m.last_sequence_number);
  w.Member("last-updated-ms", m.last_updated_ms)
      .Member("last-column-id", int64_t{m.last_column_id})
      .Member("current-schema-id", int64_t{m.current_schema_id});
  w.Key("schemas").BeginArray();
  for (const Schema& schema : m.schemas) dom(floe::internal::SchemaToJsonValue(schema));
  w.EndArray();
  if (m.format_version == 1) {  // v1 readers expect the deprecated single members too
    if (const Schema* schema = m.CurrentSchema()) {
      w.Key("schema");
      dom(floe::internal::SchemaToJsonValue(*schema));
    }
    if (const PartitionSpec* spec = m.DefaultSpec()) {
      w.Key("partition-spec");
      dom(SpecToJson(*spec)["fields"]);
    }
  }
  w.Member("default-spec-id", int64_t{m.default_spec_id}).Key("partition-specs").BeginArray();
  for (const PartitionSpec& spec : m.specs) dom(SpecToJson(spec));
  w.EndArray().Member("last-partition-id", int64_t{m.last_partition_id});
  w.Member("default-sort-order-id", int64_t{m.default_sort_order_id})
      .Key("sort-orders")
      .BeginArray();
  for (const SortOrder& order : m.sort_orders) dom(SortOrderToJson(order));
  if (m.sort_orders.empty()) dom(SortOrderToJson(SortOrder{}));  // the unsorted order 0
  w.EndArray().Key("properties").BeginObject();
  for (const auto& [key, value] : m.properties) w.Member(key, value);
  w.EndObject();
  if (m.current_snapshot_id) w.Member("current-snapshot-id", *m.current_snapshot_id);
  w.Key("snapshots").BeginArray();
  for (const Snapshot& snapshot : m.snapshots) {
    w.BeginObject().Member("snapshot-id", snapshot.snapshot_id);
    if (snapshot.parent_snapshot_id) w.Member("parent-snapshot-id", *snapshot.parent_snapshot_id);
    if (m.format_version >= 2) w.Member("sequence-number", snapshot.sequence_number);
    w.Member("timestamp-ms", snapshot.timestamp_ms)
        .Member("manifest-list", snapshot.manifest_list)
        .Key("summary")
        .BeginObject();
    for (const auto& [key, value] : snapshot.summary) w.Member(key, value);
    w.EndObject();
    if (snapshot.schema_id) w.Member("schema-id", int64_t{*snapshot.schema_id});
    if (snapshot.first_row_id) w.Member("first-row-id", *snapshot.first_row_id);
    if (snapshot.added_rows) w.Member("added-rows", *snapshot.added_rows);
    w.EndObject();
  }
  w.EndArray().Key("snapshot-log").BeginArray();
  for (const SnapshotLogEntry& e : m.snapshot_log) {
    w.BeginObject().Member("timestamp-ms", e.timestamp_ms).Member("snapshot-id", e.snapshot_id);
    w.EndObject();
  }
  w.EndArray().Key("metadata-log").BeginArray();
  for (const MetadataLogEntry& e : m.metadata_log) {
    w.BeginObject().Member("timestamp-ms", e.timestamp_ms).Member("metadata-file", e.metadata_file);
    w.EndObject();
  }
  w.EndArray().Key("refs").BeginObject();
  for (const auto& [name, ref] : m.refs) {
    w.Key(name);
    dom(RefToJson(ref));
  }
  w.EndObject();
  if (m.next_row_id) w.Member("next-row-id", *m.next_row_id);
  for (const auto& [key, text] : m.unmodeled) w.Key(key).Raw(text);
  w.EndObject();
  return w.Take();
}

}  // namespace floe::iceberg
