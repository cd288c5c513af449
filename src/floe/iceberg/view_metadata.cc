#include "floe/iceberg/view_metadata.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "floe/iceberg/table_metadata.h"
#include "floe/schema/schema_json_internal.h"
#include "floe/util/json_parse.h"
#include "floe/util/strings.h"

namespace floe::iceberg {
namespace {

using Json = nlohmann::json;

Status Bad(std::string message) {
  return Status::InvalidArgument("{}", message);
}

template <typename T>
Result<T> Get(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return Status::Corruption("view metadata: missing '{}'", key);
  if constexpr (std::is_same_v<T, std::string>) {
    if (it->is_string()) return it->get<std::string>();
  } else {
    if (it->is_number_integer()) return it->get<T>();
  }
  return Status::Corruption("view metadata: '{}' has the wrong type", key);
}

Result<std::map<std::string, std::string>> StringMap(const Json& j, const char* key) {
  std::map<std::string, std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) return Status::Corruption("view metadata: '{}' must be an object", key);
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string())
      return Status::Corruption("view metadata: '{}.{}' must be a string", key, k);
    out[k] = v.get<std::string>();
  }
  return out;
}

Result<ViewVersion> VersionFromJson(const Json& j) {
  if (!j.is_object()) return Status::Corruption("view metadata: a version must be an object");
  ViewVersion v;
  FLOE_ASSIGN_OR_RETURN(v.version_id, Get<int32_t>(j, "version-id"));
  FLOE_ASSIGN_OR_RETURN(v.timestamp_ms, Get<int64_t>(j, "timestamp-ms"));
  FLOE_ASSIGN_OR_RETURN(v.schema_id, Get<int32_t>(j, "schema-id"));
  FLOE_ASSIGN_OR_RETURN(v.summary, StringMap(j, "summary"));
  auto reps = j.find("representations");
  if (reps == j.end() || !reps->is_array())
    return Status::Corruption("view metadata: 'representations' must be an array");
  for (const Json& r : *reps) {
    if (!r.is_object())
      return Status::Corruption("view metadata: a representation must be an object");
    FLOE_ASSIGN_OR_RETURN(std::string type, Get<std::string>(r, "type"));
    if (!EqualsIgnoreCase(type, "sql"))
      return Status::Corruption("view metadata: unknown representation type '{}'", type);
    ViewRepresentation rep;
    FLOE_ASSIGN_OR_RETURN(rep.sql, Get<std::string>(r, "sql"));
    FLOE_ASSIGN_OR_RETURN(rep.dialect, Get<std::string>(r, "dialect"));
    v.representations.push_back(std::move(rep));
  }
  if (auto c = j.find("default-catalog"); c != j.end() && !c->is_null()) {
    if (!c->is_string())
      return Status::Corruption("view metadata: 'default-catalog' must be a string");
    v.default_catalog = c->get<std::string>();
  }
  auto ns = j.find("default-namespace");
  if (ns == j.end() || !ns->is_array() ||
      !std::all_of(ns->begin(), ns->end(), [](const Json& l) { return l.is_string(); })) {
    return Status::Corruption("view metadata: 'default-namespace' must be an array of strings");
  }
  v.default_namespace = ns->get<std::vector<std::string>>();
  return v;
}

Json VersionToJson(const ViewVersion& v) {
  Json reps = Json::array();
  for (const ViewRepresentation& r : v.representations) {
    reps.push_back({{"type", "sql"}, {"sql", r.sql}, {"dialect", r.dialect}});
  }
  Json j = {{"version-id", v.version_id},         {"timestamp-ms", v.timestamp_ms},
            {"schema-id", v.schema_id},           {"summary", v.summary},
            {"representations", std::move(reps)}, {"default-namespace", v.default_namespace}};
  if (v.default_catalog) j["default-catalog"] = *v.default_catalog;
  return j;
}

std::set<std::string> Dialects(const ViewVersion& v) {
  std::set<std::string> out;
  for (const ViewRepresentation& r : v.representations) out.insert(AsciiLower(r.dialect));
  return out;
}

}  // namespace

bool ViewVersion::SameAs(const ViewVersion& other) const {
  return summary == other.summary && representations == other.representations &&
         default_catalog == other.default_catalog && default_namespace == other.default_namespace &&
         schema_id == other.schema_id;
}

const ViewVersion* ViewMetadata::VersionById(int32_t id) const {
  for (const ViewVersion& v : versions) {
    if (v.version_id == id) return &v;
  }
  return nullptr;
}

const Schema* ViewMetadata::SchemaById(int32_t id) const {
  for (const Schema& s : schemas) {
    if (s.schema_id() == id) return &s;
  }
  return nullptr;
}

Result<ViewMetadata> ViewMetadataFromJson(std::string_view text) {
  const Json j = ParseJsonOrDiscarded(text);
  if (!j.is_object()) return Status::Corruption("view metadata is not a JSON object");
  ViewMetadata m;
  FLOE_ASSIGN_OR_RETURN(m.view_uuid, Get<std::string>(j, "view-uuid"));
  FLOE_ASSIGN_OR_RETURN(m.format_version, Get<int>(j, "format-version"));
  if (m.format_version != 1)
    return Status::NotSupported("view format version {} (floe reads 1)", m.format_version);
  FLOE_ASSIGN_OR_RETURN(m.location, Get<std::string>(j, "location"));
  FLOE_ASSIGN_OR_RETURN(m.properties, StringMap(j, "properties"));
  auto schemas = j.find("schemas");
  auto versions = j.find("versions");
  auto log = j.find("version-log");
  if (schemas == j.end() || !schemas->is_array() || versions == j.end() || !versions->is_array() ||
      log == j.end() || !log->is_array()) {
    return Status::Corruption(
        "view metadata: 'schemas', 'versions' and 'version-log' must be arrays");
  }
  for (const Json& s : *schemas) {
    FLOE_ASSIGN_OR_RETURN(Schema schema, floe::internal::SchemaFromJsonValue(s));
    m.schemas.push_back(std::move(schema));
  }
  for (const Json& v : *versions) {
    FLOE_ASSIGN_OR_RETURN(ViewVersion version, VersionFromJson(v));
    m.versions.push_back(std::move(version));
  }
  for (const Json& e : *log) {
    if (!e.is_object())
      return Status::Corruption("view metadata: a version-log entry must be an object");
    ViewHistoryEntry entry;
    FLOE_ASSIGN_OR_RETURN(entry.timestamp_ms, Get<int64_t>(e, "timestamp-ms"));
    FLOE_ASSIGN_OR_RETURN(entry.version_id, Get<int32_t>(e, "version-id"));
    m.version_log.push_back(entry);
  }
  FLOE_ASSIGN_OR_RETURN(m.current_version_id, Get<int32_t>(j, "current-version-id"));
  if (m.CurrentVersion() == nullptr) {
    return Status::Corruption("view metadata: current version {} is not among the versions",
                              m.current_version_id);
  }
  return m;
}

std::string ViewMetadataToJson(const ViewMetadata& m) {
  Json schemas = Json::array(), versions = Json::array(), log = Json::array();
  for (const Schema& s : m.schemas) schemas.push_back(floe::internal::SchemaToJsonValue(s));
  for (const ViewVersion& v : m.versions) versions.push_back(VersionToJson(v));
  for (const ViewHistoryEntry& e : m.version_log) {
    log.push_back({{"timestamp-ms", e.timestamp_ms}, {"version-id", e.version_id}});
  }
  return Json{{"view-uuid", m.view_uuid},        {"format-version", m.format_version},
              {"location", m.location},          {"properties", m.properties},
              {"schemas", std::move(schemas)},   {"current-version-id", m.current_version_id},
              {"versions", std::move(versions)}, {"version-log", std::move(log)}}
      .dump();
}

Result<ViewVersion> ViewVersionFromJson(std::string_view text) {
  const Json j = ParseJsonOrDiscarded(text);
  if (j.is_discarded()) return Status::Corruption("view version is not JSON (or nests too deep)");
  return VersionFromJson(j);
}

Result<ViewMetadata> ReadViewMetadataFile(FileIO& io, const std::string& location) {
  FLOE_ASSIGN_OR_RETURN(std::string text, ReadMetadataFileText(io, location));
  auto metadata = ViewMetadataFromJson(text);
  if (!metadata.ok()) return metadata.status().WithContext(location);
  return metadata;
}

ViewChange::ViewChange(ViewMetadata base) : m_(std::move(base)) {
  if (const ViewVersion* current = m_.CurrentVersion()) previous_ = *current;
}

Status ViewChange::AssignUuid(const std::string& uuid) {
  if (uuid.empty()) return Bad("Cannot set uuid to null");
  if (!m_.view_uuid.empty() && m_.view_uuid != uuid) return Bad("Cannot reassign uuid");
  m_.view_uuid = uuid;
  return Status::OK();
}

Status ViewChange::UpgradeFormatVersion(int version) {
  if (version < m_.format_version) {
    return Bad(fmt::format("Cannot downgrade v{} view to v{}", m_.format_version, version));
  }
  if (version > 1) return Status::NotSupported("view format version {} (floe writes 1)", version);
  return Status::OK();
}

Status ViewChange::SetLocation(std::string location) {
  if (location.empty()) return Bad("Invalid location: null");
  m_.location = std::move(location);
  return Status::OK();
}

void ViewChange::SetProperties(const std::map<std::string, std::string>& updates) {
  for (const auto& [k, v] : updates) m_.properties[k] = v;
}

void ViewChange::RemoveProperties(const std::vector<std::string>& keys) {
  for (const std::string& k : keys) m_.properties.erase(k);
}

int32_t ViewChange::AddSchema(const Schema& schema) {
  int32_t id = 0;
  for (const Schema& s : m_.schemas) {
    if (s.fields() == schema.fields() &&
        s.identifier_field_ids() == schema.identifier_field_ids()) {
      return s.schema_id();
    }
    id = std::max(id, s.schema_id() + 1);
  }
  m_.schemas.push_back(Schema(schema.fields(), id, schema.identifier_field_ids()));
  last_added_schema_ = id;
  return id;
}

Result<int32_t> ViewChange::AddVersion(ViewVersion version) {
  // Java compares before resolving "last added schema", and so does this.
  int32_t id = version.version_id;
  for (const ViewVersion& v : m_.versions) {
    if (v.SameAs(version)) {
      id = v.version_id;
      break;
    }
    if (v.version_id >= id) id = v.version_id + 1;
  }
  if (m_.VersionById(id) != nullptr) {
    const bool added_here =
        std::find(added_versions_.begin(), added_versions_.end(), id) != added_versions_.end();
    last_added_version_ = added_here ? std::optional(id) : std::nullopt;
    return id;
  }
  version.version_id = id;
  if (version.schema_id == -1) {
    if (!last_added_schema_) return Bad("Cannot set last added schema: no schema has been added");
    version.schema_id = *last_added_schema_;
  }
  if (m_.SchemaById(version.schema_id) == nullptr) {
    return Bad(fmt::format("Cannot add version with unknown schema: {}", version.schema_id));
  }
  std::set<std::string> dialects;
  for (const ViewRepresentation& r : version.representations) {
    if (!dialects.insert(AsciiLower(r.dialect)).second) {
      return Bad(fmt::format("Invalid view version: Cannot add multiple queries for dialect {}",
                             AsciiLower(r.dialect)));
    }
  }
  m_.versions.push_back(std::move(version));
  added_versions_.push_back(id);
  last_added_version_ = id;
  return id;
}

Status ViewChange::SetCurrentVersion(int32_t version_id, int64_t now_ms) {
  if (version_id == -1) {
    if (!last_added_version_)
      return Bad("Cannot set last version id: no current version id has been set");
    version_id = *last_added_version_;
  }
  if (version_id == m_.current_version_id) return Status::OK();
  const ViewVersion* version = m_.VersionById(version_id);
  if (version == nullptr) {
    return Bad(fmt::format("Cannot set current version to unknown version: {}", version_id));
  }
  m_.current_version_id = version_id;
  const bool added_here = std::find(added_versions_.begin(), added_versions_.end(), version_id) !=
                          added_versions_.end();
  history_entry_ = ViewHistoryEntry{added_here ? version->timestamp_ms : now_ms, version_id};
  return Status::OK();
}

Result<ViewMetadata> ViewChange::Build() const {
  ViewMetadata m = m_;
  if (m.location.empty()) return Bad("Invalid location: null");
  if (m.versions.empty()) return Bad("Invalid view: no versions were added");
  const ViewVersion* current = m.CurrentVersion();
  if (current == nullptr) return Bad("Invalid view: no current version");
  if (history_entry_) m.version_log.push_back(*history_entry_);
  auto flag = m.properties.find("replace.drop-dialect.allowed");
  const bool drop_allowed = flag != m.properties.end() && EqualsIgnoreCase(flag->second, "true");
  if (previous_ && !drop_allowed) {
    const std::set<std::string> before = Dialects(*previous_), after = Dialects(*current);
    if (!std::includes(after.begin(), after.end(), before.begin(), before.end())) {
      return Bad(fmt::format(
          "Cannot replace view due to loss of view dialects (replace.drop-dialect.allowed=false):"
          "\nPrevious dialects: [{}]\nNew dialects: [{}]",
          fmt::join(before, ", "), fmt::join(after, ", ")));
    }
  }
  int64_t history_size = 10;
  if (auto it = m.properties.find("version.history.num-entries"); it != m.properties.end()) {
    try {
      history_size = std::stoll(it->second);
    } catch (const std::exception&) {
      history_size = 0;
    }
    if (history_size <= 0) {
      return Bad(
          fmt::format("version.history.num-entries must be positive but was {}", it->second));
    }
  }
  std::set<int32_t> kept_here(added_versions_.begin(), added_versions_.end());
  kept_here.insert(m.current_version_id);
  const auto keep = std::max<size_t>(kept_here.size(), static_cast<size_t>(history_size));
  if (m.versions.size() > keep) {
    // The current version and the highest other ids stay; the log is cut
    // past any version that goes.
    std::vector<int32_t> ids;
    for (const ViewVersion& v : m.versions) ids.push_back(v.version_id);
    std::sort(ids.rbegin(), ids.rend());
    std::set<int32_t> retained{m.current_version_id};
    for (int32_t id : ids) {
      if (retained.size() == keep) break;
      retained.insert(id);
    }
    std::vector<ViewVersion> versions;
    versions.push_back(*current);
    for (const ViewVersion& v : m.versions) {
      if (v.version_id != m.current_version_id && retained.contains(v.version_id))
        versions.push_back(v);
    }
    m.versions = std::move(versions);
    std::vector<ViewHistoryEntry> log;
    for (const ViewHistoryEntry& e : m.version_log) {
      if (retained.contains(e.version_id)) {
        log.push_back(e);
      } else {
        log.clear();
      }
    }
    m.version_log = std::move(log);
  }
  return m;
}

}  // namespace floe::iceberg
