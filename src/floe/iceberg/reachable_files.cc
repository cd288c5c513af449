#include "floe/iceberg/reachable_files.h"

#include <nlohmann/json.hpp>
#include <set>

#include "floe/iceberg/manifest.h"
#include "floe/util/json_parse.h"

namespace floe::iceberg {

Result<std::vector<std::string>> ReachableFiles(FileIO& io, const TableMetadata& metadata,
                                                const std::string& metadata_location) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& path) {
    if (!path.empty() && seen.insert(path).second) out.push_back(path);
  };
  add(metadata_location);
  for (const MetadataLogEntry& e : metadata.metadata_log) add(e.metadata_file);
  std::set<std::string> manifests_read;
  for (const Snapshot& snapshot : metadata.snapshots) {
    add(snapshot.manifest_list);
    FLOE_ASSIGN_OR_RETURN(auto manifests, ReadManifestList(io, snapshot.manifest_list));
    for (const ManifestFile& manifest : manifests) {
      if (!manifests_read.insert(manifest.manifest_path).second) continue;  // shared by snapshots
      add(manifest.manifest_path);
      FLOE_ASSIGN_OR_RETURN(auto entries, ReadManifest(io, manifest));
      for (const ManifestEntry& e : entries) add(e.data_file.file_path);
    }
  }
  // Statistics files are kept as the JSON the metadata holds.
  for (const char* key : {"statistics", "partition-statistics"}) {
    auto it = metadata.unmodeled.find(key);
    if (it == metadata.unmodeled.end()) continue;
    const nlohmann::json files = ParseJsonOrDiscarded(it->second);
    if (!files.is_array()) continue;
    for (const nlohmann::json& f : files) {
      if (f.is_object() && f.contains("statistics-path") && f["statistics-path"].is_string())
        add(f["statistics-path"].get<std::string>());
    }
  }
  return out;
}

}  // namespace floe::iceberg
