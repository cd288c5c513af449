// Writing manifests and manifest lists (format v2) with the exact field ids
// of the spec, through floe's Avro container writer.
#pragma once

#include <string>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {

// Writes a manifest of `entries`, data files of partition spec `spec`, each
// with its typed partition tuple. ADDED entries are written with null
// snapshot id and sequence numbers, to be inherited from the manifest list
// entry: that makes a manifest of new files reusable when a commit is retried
// on newer metadata. EXISTING entries keep their snapshot id and sequence
// numbers explicitly; DELETED entries are an error here.
//
// Returns the manifest's list entry with counts and partition summaries; the
// committer sets added_snapshot_id and sequence_number, and completes
// min_sequence_number with AssignManifestToSnapshot.
Result<ManifestFile> WriteManifest(FileIO& io, const std::string& path,
                                   const TableMetadata& metadata, const PartitionSpec& spec,
                                   const std::vector<ManifestEntry>& entries);

// ADDED entries for new data files.
std::vector<ManifestEntry> AddedEntries(std::vector<DataFile> files);

// Stamps a manifest written by WriteManifest for `snapshot`: its added
// snapshot id and sequence number, and the minimum data sequence number of
// its entries (ADDED ones inherit the snapshot's).
void AssignManifestToSnapshot(const Snapshot& snapshot, ManifestFile* manifest);

// Writes a manifest list for `snapshot` (its id, parent and sequence number).
Status WriteManifestList(FileIO& io, const std::string& path, const Snapshot& snapshot,
                         const std::vector<ManifestFile>& manifests);

}  // namespace floe::iceberg
