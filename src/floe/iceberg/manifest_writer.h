// Writing manifests and manifest lists (format v2) with the exact field ids
// of the spec, through floe's Avro container writer.
#pragma once

#include <string>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {

// Writes a manifest of ADDED entries (each file with its typed partition tuple) whose snapshot id
// and sequence numbers are left null, to be inherited from the manifest list entry. That makes the
// manifest reusable when a commit is retried on newer metadata. Returns its
// manifest list entry (added_snapshot_id and sequence numbers unset).
Result<ManifestFile> WriteManifest(const std::string& path, const TableMetadata& metadata,
                                   const PartitionSpec& spec, const std::vector<DataFile>& files);

// Writes a manifest list for `snapshot` (its id, parent and sequence number).
Status WriteManifestList(const std::string& path, const Snapshot& snapshot,
                         const std::vector<ManifestFile>& manifests);

}  // namespace floe::iceberg
