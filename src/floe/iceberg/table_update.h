// Changes to table metadata that need no new data files (spec "Snapshot
// References", table properties): each checks its preconditions on the
// metadata it is given and edits it in place. Committing the result is the
// catalog's job (table/table_commit.h).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {

Status SetProperties(const std::map<std::string, std::string>& updates, TableMetadata* m);

// Raises the table's format version (never lowers it; floe writes 1 to 3).
// Row lineage starts at an upgrade to v3: next-row-id 0, existing snapshots
// and files keep no row ids (spec "Row Lineage").
Status UpgradeFormatVersion(int version, TableMetadata* m);
Status RemoveProperties(const std::vector<std::string>& keys, TableMetadata* m);

// Creates or moves a branch or tag. Setting "main" makes its snapshot the
// current one (and logs it in the snapshot log).
Status SetRef(const std::string& name, const SnapshotRef& ref, int64_t now_ms, TableMetadata* m);
// "main" cannot be removed.
Status RemoveRef(const std::string& name, TableMetadata* m);

// Removes snapshots, the refs left pointing at them, their statistics files,
// and from the snapshot log their entries and every entry before the last of
// those (as Java does).
Status RemoveSnapshots(const std::vector<int64_t>& snapshot_ids, TableMetadata* m);

// Statistics files (spec "Table Statistics", "Partition Statistics"), kept
// as the metadata's JSON lists: list_key is "statistics" or
// "partition-statistics". `file` is the file's JSON object; it must name its
// snapshot-id and statistics-path, and it replaces the file of that snapshot
// or joins the list. Removing a snapshot's file that is not there is a no-op.
Status SetStatisticsFile(std::string_view list_key, std::string_view file, TableMetadata* m);
void RemoveStatisticsFile(std::string_view list_key, int64_t snapshot_id, TableMetadata* m);

// Schema, partition spec and sort order evolution as Iceberg Java applies it:
// an equal (schema) or compatible (spec: same source ids, transforms and
// names; order: same fields) existing one is reused, else the new one gets
// the next id. Returns the id. last-column-id and last-partition-id grow to
// cover the new ids.
Result<int32_t> AddSchema(Schema schema, TableMetadata* m);
Result<int32_t> AddPartitionSpec(PartitionSpec spec, TableMetadata* m);
Result<int32_t> AddSortOrder(SortOrder order, TableMetadata* m);

// Drop schemas and partition specs nothing refers to any more (Java's
// cleanExpiredMetadata): the current schema and the default spec cannot be
// removed; ids the table does not have are ignored.
Status RemoveSchemas(const std::vector<int32_t>& schema_ids, TableMetadata* m);
Status RemovePartitionSpecs(const std::vector<int32_t>& spec_ids, TableMetadata* m);

// Makes any existing snapshot current (the main branch moves to it).
Status SetCurrentSnapshot(int64_t snapshot_id, int64_t now_ms, TableMetadata* m);
// The same, only for an ancestor of the current snapshot (undoing commits).
Status RollbackTo(int64_t snapshot_id, int64_t now_ms, TableMetadata* m);

// Whether `current`, a table's metadata loaded after a commit whose answer
// was lost, shows the change from `base` to `next` applied: the snapshots
// next added all exist (their ids are random, nobody else adds them, and
// they stay through later commits); for a change without new snapshots, the
// schemas, specs and sort orders it added exist, and the refs, properties,
// current schema, default spec and sort order it changed are as next has them.
bool ChangeVisibleIn(const TableMetadata& base, const TableMetadata& next,
                     const TableMetadata& current);

}  // namespace floe::iceberg
