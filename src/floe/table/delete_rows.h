// Delete by filter (Iceberg's DeleteFiles / row-level DELETE, merge-on-read):
// the rows of the current snapshot that match a filter are deleted in one
// snapshot. A data file whose live rows all match is removed whole (with its
// deletion vector and its file-scoped position deletes); from the others the
// matching rows are deleted by position: a deletion vector per data file on
// v3 tables (merged with the file's earlier deletes, the vector it replaces
// removed, as the spec allows one per file), a position delete file per data
// file on v2. v1 tables take whole-file deletes only. With equality columns
// the matched rows' keys are written as equality delete files instead (the
// way of writers that cannot know positions; readers pay at scan time).
//
// Update by filter is the same delete with the matching rows, changed,
// added back as new data files in the same snapshot (an "overwrite").
//
// Both are validated against commits that land while they are written
// (table/row_delta.h); one they invalidate is planned again on the new
// snapshot, its unreferenced files deleted first.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "floe/catalog/catalog.h"
#include "floe/columnar/column.h"
#include "floe/iceberg/expression/expression.h"
#include "floe/table/row_delta.h"

namespace floe::table {

struct DeleteOptions {
  // Plans, each committed with CommitTableChange's own retries: a delete whose
  // filter matches what a busy writer keeps appending may need many.
  int max_attempts = 32;
  std::map<std::string, std::string> summary;  // snapshot summary entries to add
  // Delete by key instead (v2 and v3): the matched rows' values of these
  // top-level columns go to equality delete files, which delete every row
  // with those values in data files older than the commit, matched or not.
  std::vector<std::string> equality_columns;
};

struct DeleteResult {
  RowDeltaResult delta;       // snapshot_id 0 when no row matched
  int64_t rows_deleted = 0;   // by files removed and by new deletes (updated ones included)
  int64_t files_removed = 0;  // data files removed whole
  int plans = 1;              // 2 and more: concurrent commits invalidated a plan
};

// `filter` is unbound, on the table's current schema.
Result<DeleteResult> DeleteWhere(catalog::Catalog& catalog, const catalog::TableIdentifier& id,
                                 const iceberg::Expression& filter,
                                 const DeleteOptions& options = {});

// The new version of matched rows: `rows` in the table's current schema
// (`schema`) in, the same number of rows in that schema out. An error ends
// the update with nothing committed.
using RowUpdate = std::function<Result<RecordBatch>(const Schema& schema, RecordBatch rows)>;

Result<DeleteResult> UpdateWhere(catalog::Catalog& catalog, const catalog::TableIdentifier& id,
                                 const iceberg::Expression& filter, const RowUpdate& update,
                                 const DeleteOptions& options = {});

}  // namespace floe::table
