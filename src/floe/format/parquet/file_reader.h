// Reads Parquet files into record batches.
//
// Every length, offset and count the file states is checked against the file
// before it is trusted, so hostile files end in a Corruption error naming the
// file and the fault, never a crash or an allocation the file cannot justify.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/format/parquet/metadata.h"
#include "floe/format/parquet/predicate.h"
#include "floe/format/parquet/schema_mapping.h"
#include "floe/io/file.h"
#include "floe/util/thread_pool.h"

namespace floe::parquet {

struct ReadOptions {
  // Top-level fields to read, by name; empty reads all. Names that do not
  // exist are an error.
  std::vector<std::string> columns;
  // Or by field id (used when non-empty; takes precedence over names).
  std::vector<int32_t> field_ids;
  int64_t batch_rows = 64 * 1024;
  int threads = -1;  // worker threads decoding columns; -1: cores - 1
  // Row groups whose statistics prove that a predicate (all must hold) cannot
  // match are skipped. Rows of the groups read are not filtered here.
  std::vector<ColumnPredicate> skip_unless;
};

class FileReader {
 public:
  static Result<std::unique_ptr<FileReader>> Open(std::unique_ptr<InputFile> file);
  ~FileReader();

  const std::string& path() const { return file_->path(); }
  const FileMetaData& metadata() const { return metadata_; }
  const FileSchema& file_schema() const { return schema_; }
  int64_t file_size() const { return file_->size(); }

  // Starts reading (again) with `options`; the projected schema is returned.
  // A reader starts with all columns selected.
  Result<Schema> Select(const ReadOptions& options);
  // The next batch of at most batch_rows rows, or a batch of 0 rows at the end.
  Result<RecordBatch> Next();
  // Row groups skipped by statistics since the last Select.
  int64_t row_groups_skipped() const { return row_groups_skipped_; }

 private:
  struct DecodedLeaf;
  FileReader() = default;
  Status LoadRowGroup(int index);
  bool RowGroupMightMatch(int index) const;
  Result<RecordBatch> NextBatch();
  Status DecodeChunk(const LeafColumn& leaf, const ColumnMetaData& meta,
                     std::span<const uint8_t> chunk, DecodedLeaf* out);

  std::unique_ptr<InputFile> file_;
  FileMetaData metadata_;
  FileSchema schema_;

  // The selection and the row group being handed out.
  Schema projected_;
  std::vector<int> projected_fields_;  // top-level indices in schema_.schema
  int64_t batch_rows_ = 64 * 1024;
  int next_row_group_ = 0;
  std::vector<BoundPredicate> predicates_;
  int64_t row_groups_skipped_ = 0;
  Status failed_;  // the first error of Next since the last Select
  std::vector<DecodedLeaf> leaves_;
  std::unique_ptr<ThreadPool> pool_;  // of the current row group, projected leaves only
  int64_t row_group_rows_ = 0;
  int64_t next_row_ = 0;
};

}  // namespace floe::parquet
