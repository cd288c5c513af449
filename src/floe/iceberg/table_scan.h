// Reading a table's rows at a snapshot: scan planning prunes manifests by
// their partition summaries and data files by partition values and column
// metrics (spec "Scan Planning"); each remaining file is read with the table
// schema's columns matched by field id, so renamed columns read right and
// columns a file predates read as null; rows are then filtered exactly.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/iceberg/deleted_rows.h"
#include "floe/iceberg/expression/expression.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {

// What a scan read and pruned, and how long it took.
struct ScanStats {
  int64_t manifests = 0;          // data manifests of the snapshot
  int64_t manifests_skipped = 0;  // by partition summaries
  int64_t files = 0;              // live data files of the snapshot
  int64_t files_in_skipped_manifests = 0;
  int64_t files_skipped_by_partition = 0;
  int64_t files_skipped_by_metrics = 0;
  double planning_ms = 0;  // wall time of planning (manifest list to file list)
  int64_t rows = 0;        // rows handed to the sink
  double scan_ms = 0;      // wall time of the whole scan, planning included, the sink's not
  int64_t files_planned() const {
    return files - files_in_skipped_manifests - files_skipped_by_partition -
           files_skipped_by_metrics;
  }
};

// The live entries of `snapshot` (not deleted), in manifest order: the data
// files that can hold rows matching `filter` (bound to the schema the scan
// reads in; true keeps every file), then every delete file (not pruned yet). Typed partition
// tuples are filled when filtering.
Result<std::vector<ManifestEntry>> PlanFiles(FileIO& io, const TableMetadata& metadata,
                                             const Snapshot& snapshot,
                                             const Expression& filter = Expression::True(),
                                             ScanStats* stats = nullptr);

struct ScanOptions {
  // The schema rows are read in (and names resolve in): time travel to a
  // snapshot reads in that snapshot's schema, as Iceberg engines do; unset,
  // the current schema.
  std::optional<int32_t> schema_id;
  std::vector<std::string> columns;  // top-level names of that schema; empty: all
  Expression filter;                 // unbound, on that schema; true by default
  // Rows per batch at most. A row group is decoded whole before its first
  // batch, so whole-row-group batches cost no extra memory and let the
  // decoded columns be handed over instead of copied.
  int64_t batch_rows = int64_t{1} << 30;
  int64_t limit = -1;          // stop after this many rows (-1: all)
  ScanStats* stats = nullptr;  // filled when given
};

// Calls `sink` with the live rows of `snapshot` (its delete files applied)
// that match the filter, batch by batch, in the projected schema.
Status ScanTable(FileIO& io, const TableMetadata& metadata, const Snapshot& snapshot,
                 const ScanOptions& options, const std::function<Status(const RecordBatch&)>& sink);

// What a row-level delete or update needs to know of one data file: the
// positions of its live rows that match, and the delete files that apply to
// it now.
struct FileMatch {
  ManifestEntry entry;           // the data file's
  std::vector<int64_t> matched;  // ascending positions in the file
  RecordBatch rows;              // with_rows: the matched rows, in the current schema
  // Rows not deleted by position or vector (equality deletes not counted),
  // and the positions deleted so.
  int64_t live_rows = 0;
  DeletedRows deleted;
  std::optional<ManifestEntry> vector;        // its deletion vector
  std::vector<ManifestEntry> position_files;  // its position delete files
  bool has_equality_deletes = false;
};

// Calls `sink` for each live data file of `snapshot` with live rows that
// match `filter` (unbound, on the current schema), in planning order; with
// `with_rows`, the matched rows come along (all columns read).
Status MatchRows(FileIO& io, const TableMetadata& metadata, const Snapshot& snapshot,
                 const Expression& filter, bool with_rows,
                 const std::function<Status(FileMatch)>& sink);

}  // namespace floe::iceberg
