// Reading a table's rows at a snapshot: the snapshot's live data files (from
// its manifests), each read with the table schema's columns matched by field
// id, so renamed columns read right and columns a file predates read as null.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {

struct ScanOptions {
  std::vector<std::string> columns;  // top-level names of the current schema; empty: all
  int64_t batch_rows = 64 * 1024;
};

// The data files a snapshot consists of (entries not deleted), in manifest order.
Result<std::vector<DataFile>> PlanFiles(const Snapshot& snapshot);

// Calls `sink` with the rows of every data file of `snapshot`, batch by batch,
// in the projected current schema. Delete files are not applied yet: a
// snapshot with delete files is an error rather than wrong rows.
Status ScanTable(const TableMetadata& metadata, const Snapshot& snapshot,
                 const ScanOptions& options, const std::function<Status(const RecordBatch&)>& sink);

}  // namespace floe::iceberg
