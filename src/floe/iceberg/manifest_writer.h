// Writing manifests and manifest lists (format v2) with the exact field ids
// of the spec, through floe's Avro container writer.
#pragma once

#include <string>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {

// Writes a manifest of `entries`: data files, or delete files (a delete
// manifest), of partition spec `spec`, each with its typed partition tuple.
// ADDED entries are written with null snapshot id and sequence numbers, to
// be inherited from the manifest list entry: that makes a manifest of new
// files reusable when a commit is retried on newer metadata. EXISTING
// entries keep their snapshot id and sequence numbers explicitly; DELETED
// ones keep their sequence numbers and inherit the snapshot id (the
// snapshot that deletes them). The v3 fields (first_row_id, content_offset,
// content_size_in_bytes) are written on v3 tables.
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

// v3 row lineage (spec "First Row ID Assignment"): `snapshot` of a v3 table
// takes the table's next-row-id as its first-row-id; each data manifest
// without a first_row_id gets the next range (its added and existing rows);
// added-rows and the table's next-row-id grow by what was assigned. Nothing
// on older format versions. Call it on the list WriteManifestList writes.
void AssignRowLineage(Snapshot* snapshot, std::vector<ManifestFile>* manifests, TableMetadata* m);

// Writes a manifest list for `snapshot` (its id, parent and sequence number);
// from format version 3 on, with each manifest's first_row_id.
Status WriteManifestList(FileIO& io, const std::string& path, const Snapshot& snapshot,
                         const std::vector<ManifestFile>& manifests, int format_version = 2);

}  // namespace floe::iceberg
