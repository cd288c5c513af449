#include "floe/iceberg/manifest_merge.h"

#include <cstdlib>

#include "floe/iceberg/manifest_writer.h"

namespace floe::iceberg {
namespace {

int64_t ParseLong(const std::map<std::string, std::string>& properties, const char* key,
                  int64_t fallback) {
  auto it = properties.find(key);
  if (it == properties.end()) return fallback;
  char* end = nullptr;
  const long long v = std::strtoll(it->second.c_str(), &end, 10);
  return (end != nullptr && *end == '\0' && v > 0) ? v : fallback;
}

// One merged manifest from the manifests of `bin` (all of spec `spec_id`).
Result<ManifestFile> MergeBin(FileIO& io, const TableMetadata& metadata, const Snapshot& snapshot,
                              int32_t spec_id, const std::vector<ManifestFile>& bin,
                              const std::string& path) {
  const PartitionSpec* spec = metadata.SpecById(spec_id);
  if (spec == nullptr) return Status::Corruption("manifest of unknown partition spec {}", spec_id);
  FLOE_ASSIGN_OR_RETURN(TypePtr partition_type, metadata.PartitionTypeOf(spec_id));
  std::vector<ManifestEntry> entries;
  for (const ManifestFile& m : bin) {
    FLOE_ASSIGN_OR_RETURN(auto read, ReadManifest(io, m, partition_type));
    for (ManifestEntry& e : read) {
      if (e.status == 2) continue;  // deleted by an earlier snapshot: gone from this one
      // Files this snapshot adds stay ADDED (and inherit its ids); the rest exist.
      const bool added_now = e.status == 1 && e.snapshot_id == snapshot.snapshot_id;
      e.status = added_now ? 1 : 0;
      if (!added_now) {
        // v1 manifests carry no sequence numbers: their files are at 0, the
        // sequence number of a v1 manifest list entry.
        if (!e.sequence_number) e.sequence_number = m.sequence_number;
        if (!e.file_sequence_number) e.file_sequence_number = e.sequence_number;
      }
      entries.push_back(std::move(e));
    }
  }
  FLOE_ASSIGN_OR_RETURN(ManifestFile merged, WriteManifest(io, path, metadata, *spec, entries));
  AssignManifestToSnapshot(snapshot, &merged);
  return merged;
}

}  // namespace

ManifestMergeOptions ManifestMergeOptions::FromProperties(
    const std::map<std::string, std::string>& properties) {
  ManifestMergeOptions o;
  if (auto it = properties.find("commit.manifest-merge.enabled"); it != properties.end()) {
    o.enabled = it->second != "false";
  }
  o.min_count_to_merge = static_cast<int>(
      ParseLong(properties, "commit.manifest.min-count-to-merge", o.min_count_to_merge));
  o.target_size_bytes =
      ParseLong(properties, "commit.manifest.target-size-bytes", o.target_size_bytes);
  return o;
}

Result<std::vector<ManifestFile>> MergeManifests(
    FileIO& io, const TableMetadata& metadata, const Snapshot& snapshot,
    std::vector<ManifestFile> manifests, const ManifestMergeOptions& options,
    const std::function<std::string()>& new_manifest_path, std::vector<std::string>* written) {
  if (!options.enabled) return manifests;
  // Data manifests by spec, in list order.
  std::map<int32_t, std::vector<size_t>> by_spec;
  for (size_t i = 0; i < manifests.size(); ++i) {
    if (manifests[i].content == 0) by_spec[manifests[i].partition_spec_id].push_back(i);
  }
  std::vector<std::optional<ManifestFile>> replaced(manifests.size());  // at a bin's first index
  std::vector<bool> dropped(manifests.size(), false);
  for (const auto& [spec_id, indexes] : by_spec) {
    if (static_cast<int64_t>(indexes.size()) < options.min_count_to_merge) continue;
    size_t start = 0;
    while (start < indexes.size()) {
      // Grow the bin while it stays within the target size (one manifest at least).
      size_t end = start + 1;
      int64_t size = manifests[indexes[start]].manifest_length;
      while (end < indexes.size() &&
             size + manifests[indexes[end]].manifest_length <= options.target_size_bytes) {
        size += manifests[indexes[end]].manifest_length;
        ++end;
      }
      if (end - start >= 2) {
        std::vector<ManifestFile> bin;
        for (size_t k = start; k < end; ++k) {
          bin.push_back(manifests[indexes[k]]);
          dropped[indexes[k]] = true;
        }
        const std::string path = new_manifest_path();
        written->push_back(path);
        FLOE_ASSIGN_OR_RETURN(replaced[indexes[start]],
                              MergeBin(io, metadata, snapshot, spec_id, bin, path));
      }
      start = end;
    }
  }
  std::vector<ManifestFile> out;
  for (size_t i = 0; i < manifests.size(); ++i) {
    if (replaced[i]) {
      out.push_back(std::move(*replaced[i]));
    } else if (!dropped[i]) {
      out.push_back(std::move(manifests[i]));
    }
  }
  return out;
}

}  // namespace floe::iceberg
