// Fast append: write rows as new Parquet data files (split by the table's
// partition spec), describe them in one new manifest, and commit a snapshot
// that keeps every existing manifest and adds the new one. A lost race
// re-applies the append on the winner's metadata (the data files and the
// manifest are reused; only the manifest list is rewritten).
#pragma once

#include <string>
#include <vector>

#include "floe/catalog/table_commit.h"

namespace floe::catalog {

struct AppendResult {
  CommitResult commit;
  int64_t snapshot_id = 0;
  int64_t data_files = 0;
  int64_t records = 0;
};

// Appends the rows of `inputs`: .parquet files (columns matched to the table
// schema by name), or .jsonl / .csv text (columnar/text_reader.h).
Result<AppendResult> AppendFiles(Catalog& catalog, const TableIdentifier& id,
                                 const std::vector<std::string>& inputs);

}  // namespace floe::catalog
