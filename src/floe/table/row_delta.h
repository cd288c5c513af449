// Row-level changes committed as one snapshot (Iceberg's RowDelta, with the
// whole-file removals of DeleteFiles and OverwriteFiles): data files added,
// delete files added (position deletes, deletion vectors, equality
// deletes), and live files removed (data files every row of which is gone,
// deletion vectors replaced by merged ones, the deletes of removed files).
//
// A delta is planned on one snapshot of the table. When other commits land
// first, it is validated against what they did, as Java's RowDelta does
// under serializable isolation; a delta they invalidate is refused with
// kConflict (its files are the caller's to delete and replan), never
// committed over them:
//   - a file it removes, or a data file its new deletes reference, was
//     removed since (its rows would come back, or be deleted twice);
//   - a position delete file or deletion vector was added since for a data
//     file it deletes from (two vectors for one file, or deletes lost when
//     the new vector replaces the old one);
//   - with a conflict filter: a data file that may hold matching rows was
//     added since (the delete planned without seeing them).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "floe/catalog/catalog.h"
#include "floe/iceberg/expression/expression.h"
#include "floe/iceberg/manifest.h"
#include "floe/table/snapshot_summary.h"
#include "floe/table/table_commit.h"

namespace floe::table {

struct RowDelta {
  // The snapshot the change was planned on (none: an empty table).
  std::optional<int64_t> base_snapshot_id;
  std::vector<iceberg::DataFile> added_data;     // each of its spec_id
  std::vector<iceberg::DataFile> added_deletes;  // each of its spec_id
  // Live entries of the base snapshot to remove, data or delete files.
  std::vector<iceberg::ManifestEntry> removed;
  // Unbound, on the current schema: rows a delete by filter planned for.
  std::optional<iceberg::Expression> conflict_filter;
  std::map<std::string, std::string> summary;  // besides the standard entries
};

struct RowDeltaResult {
  CommitResult commit;
  int64_t snapshot_id = 0;
  std::string operation;  // "append", "delete" or "overwrite"
  SnapshotCounts counts;  // what the snapshot added and removed
};

// Commits `delta` (a no-op delta commits nothing and says so with
// snapshot_id 0). After an error the table is unchanged, except for
// kCommitStateUnknown; the files of the delta are never deleted here.
Result<RowDeltaResult> CommitRowDelta(catalog::Catalog& catalog, const catalog::TableIdentifier& id,
                                      const RowDelta& delta);

}  // namespace floe::table
