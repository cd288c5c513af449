// Merge append's manifest merging (Iceberg's commit.manifest-merge.*): when a
// snapshot would list many small manifests of one partition spec, they are
// rewritten into fewer manifests of about a target size, so planning reads
// few files however many commits a table has seen.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {

struct ManifestMergeOptions {
  bool enabled = true;                          // commit.manifest-merge.enabled
  int min_count_to_merge = 100;                 // commit.manifest.min-count-to-merge
  int64_t target_size_bytes = 8 * 1024 * 1024;  // commit.manifest.target-size-bytes

  // The options a table's properties set (defaults as in Iceberg Java).
  static ManifestMergeOptions FromProperties(const std::map<std::string, std::string>& properties);
};

// The manifest list of `snapshot`: `manifests` (its new manifests first, then
// the parent's), with the data manifests of each partition spec that has at
// least min_count_to_merge of them packed, in order, into bins of at most
// target_size_bytes; each bin of two or more becomes one new manifest at
// `new_manifest_path()`. Entries added by `snapshot` stay ADDED, other live
// entries become EXISTING, deleted entries are dropped. Delete manifests are
// kept as they are. `written` receives the paths of new manifests, so a
// failed commit can remove them.
Result<std::vector<ManifestFile>> MergeManifests(
    FileIO& io, const TableMetadata& metadata, const Snapshot& snapshot,
    std::vector<ManifestFile> manifests, const ManifestMergeOptions& options,
    const std::function<std::string()>& new_manifest_path, std::vector<std::string>* written);

}  // namespace floe::iceberg
