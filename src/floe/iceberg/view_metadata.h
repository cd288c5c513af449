// Iceberg views (format/view-spec.md): the metadata a view's metadata.json
// holds, its JSON serde, and changes to it with the semantics of Java's
// ViewMetadata.Builder (version and schema ids reused or numbered, the
// version log, expiry of old versions, the dialect-loss check).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/io/file_io.h"
#include "floe/schema/schema.h"
#include "floe/util/status.h"

namespace floe::iceberg {

struct ViewRepresentation {  // type "sql", the only one the spec defines
  std::string sql;
  std::string dialect;
  bool operator==(const ViewRepresentation&) const = default;
};

struct ViewVersion {
  int32_t version_id = 0;
  int64_t timestamp_ms = 0;
  int32_t schema_id = 0;  // -1 in an update: the schema last added by it
  std::map<std::string, std::string> summary;
  std::vector<ViewRepresentation> representations;
  std::optional<std::string> default_catalog;
  std::vector<std::string> default_namespace;

  // The same query: all but the id and the timestamp equal.
  bool SameAs(const ViewVersion& other) const;
};

struct ViewHistoryEntry {
  int64_t timestamp_ms = 0;
  int32_t version_id = 0;
};

struct ViewMetadata {
  std::string view_uuid;
  int format_version = 1;
  std::string location;
  std::map<std::string, std::string> properties;
  std::vector<Schema> schemas;
  int32_t current_version_id = -1;
  std::vector<ViewVersion> versions;
  std::vector<ViewHistoryEntry> version_log;

  const ViewVersion* VersionById(int32_t id) const;
  const ViewVersion* CurrentVersion() const { return VersionById(current_version_id); }
  const Schema* SchemaById(int32_t id) const;
};

Result<ViewMetadata> ViewMetadataFromJson(std::string_view json);
std::string ViewMetadataToJson(const ViewMetadata& metadata);
// A view version object (as in metadata and in REST requests).
Result<ViewVersion> ViewVersionFromJson(std::string_view json);
Result<ViewMetadata> ReadViewMetadataFile(FileIO& io, const std::string& location);

// One change to a view: from its current metadata (replace, properties,
// location) or from nothing (create). Errors are kInvalidArgument with
// Java's messages.
class ViewChange {
 public:
  ViewChange() = default;  // a view being created
  explicit ViewChange(ViewMetadata base);

  Status AssignUuid(const std::string& uuid);
  Status UpgradeFormatVersion(int version);
  Status SetLocation(std::string location);
  void SetProperties(const std::map<std::string, std::string>& updates);
  void RemoveProperties(const std::vector<std::string>& keys);
  // An equal schema's id, else the next one from 0.
  int32_t AddSchema(const Schema& schema);
  // An equal version's id, else the version's own id or the next free one.
  Result<int32_t> AddVersion(ViewVersion version);
  // -1: the version last added.
  Status SetCurrentVersion(int32_t version_id, int64_t now_ms);
  // The new metadata: needs a location and a current version; keeps the
  // dialects of the version it replaces unless replace.drop-dialect.allowed;
  // expires versions past version.history.num-entries (default 10).
  Result<ViewMetadata> Build() const;

 private:
  ViewMetadata m_;
  std::optional<ViewVersion> previous_;  // the base's current version
  std::optional<int32_t> last_added_schema_, last_added_version_;
  std::vector<int32_t> added_versions_;
  std::optional<ViewHistoryEntry> history_entry_;
};

}  // namespace floe::iceberg
