// Append: write rows as new Parquet data files (split by the table's
// partition spec), describe them in one new manifest, and commit a snapshot
// that lists it before every existing manifest (fast append), merging small
// manifests when the table's commit.manifest-merge.* properties call for it
// (merge append, on by default as in Iceberg Java). A lost race re-applies
// the append on the winner's metadata: the data files and the new manifest
// are reused; the manifest list and merged manifests are rewritten.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "floe/iceberg/manifest.h"
#include "floe/table/table_commit.h"

namespace floe::table {

struct AppendResult {
  CommitResult commit;
  int64_t snapshot_id = 0;
  int64_t data_files = 0;
  int64_t records = 0;
  int64_t manifests_merged = 0;  // manifests the merge removed from the list
};

struct AppendOptions {
  // Merge manifests (true), never (false), or as the table's properties say.
  std::optional<bool> merge_manifests;
  // Entries for the snapshot summary besides the standard ones.
  std::map<std::string, std::string> summary;
  // Vets each attempt's fresh metadata before anything is written for it;
  // an error ends the commit (CommitOptions::check).
  std::function<Status(const iceberg::TableMetadata&)> check;
  // More edits to commit in the same swap, applied after the snapshot is
  // added (a pipeline's offsets property).
  std::function<Status(iceberg::TableMetadata&)> also;
};

// Appends the rows of `inputs`: .parquet files (columns matched to the table
// schema by name), or .jsonl / .csv text (columnar/text_reader.h).
Result<AppendResult> AppendFiles(catalog::Catalog& catalog, const catalog::TableIdentifier& id,
                                 const std::vector<std::string>& inputs,
                                 const AppendOptions& options = {});

// Commits data files already written (by a DataFileWriter for `spec` of
// `written_for`, the table's metadata then) as one appended snapshot, which
// may add none. kConflict when the table's default spec or current schema is
// no longer the one the files were written for. After an error the files
// stay: deleting them is the caller's decision (CommitCertainlyFailed).
Result<AppendResult> AppendDataFiles(catalog::Catalog& catalog, const catalog::TableIdentifier& id,
                                     const iceberg::TableMetadata& written_for,
                                     const iceberg::PartitionSpec& spec,
                                     std::vector<iceberg::DataFile> files,
                                     const AppendOptions& options = {});

}  // namespace floe::table
