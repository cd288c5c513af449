// Writes a Parquet file from record batches, streaming: memory is bounded by
// the open row group, which is cut when its buffered size reaches
// WriterOptions::row_group_bytes.
#pragma once

#include <memory>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/format/parquet/column_writer.h"
#include "floe/io/file.h"
#include "floe/util/thread_pool.h"

namespace floe::parquet {

// What the writer learned about one leaf column over the whole file; the
// Iceberg layer turns these into data-file metrics.
struct LeafSummary {
  int32_t field_id = 0;
  TypePtr type;
  bool repeated = false;  // under a list or map
  int64_t compressed_bytes = 0;
  int64_t value_count = 0;
  int64_t null_count = 0;
  int64_t nan_count = 0;
  std::optional<std::string> min_value = std::nullopt;  // PLAIN form, type order
  std::optional<std::string> max_value = std::nullopt;
};

class FileWriter {
 public:
  static Result<std::unique_ptr<FileWriter>> Open(std::unique_ptr<OutputFile> file, Schema schema,
                                                  WriterOptions options = {},
                                                  std::vector<KeyValue> key_value_metadata = {});
  ~FileWriter();

  // REQUIRES: batch.schema equals the writer's schema.
  Status Write(const RecordBatch& batch);
  // Writes the last row group and the footer, and closes the file.
  Status Close();
  // Writes the buffered rows as a row group now (a writer holding many
  // files cuts row groups early to stay within its memory budget).
  Status CutRowGroup();

  // Bytes written to the file so far, and encoded but unwritten ones of
  // the open row group (uncompressed, so an overestimate of what they add).
  int64_t position() const { return file_->position(); }
  int64_t buffered_bytes() const;

  const Schema& schema() const { return schema_; }
  // Valid after Close.
  const FileMetaData& metadata() const { return metadata_; }
  int64_t file_size() const { return file_size_; }
  const std::vector<LeafSummary>& leaf_summaries() const { return summaries_; }

 private:
  FileWriter() = default;
  Status WriteRows(const RecordBatch& batch);
  Status FlushRowGroup();
  void Summarize(size_t leaf, const ColumnChunkData& chunk);

  std::unique_ptr<OutputFile> file_;
  Schema schema_;
  WriterOptions options_;
  FileSchema file_schema_;
  std::vector<ColumnWriter> columns_;
  std::vector<ShreddedLeaf> scratch_;     // one per column
  std::vector<size_t> order_;             // columns, busiest first
  std::unique_ptr<ThreadPool> own_pool_;  // when the options share none
  ThreadPool* pool_ = nullptr;
  int64_t row_group_rows_ = 0;
  FileMetaData metadata_;
  std::vector<LeafSummary> summaries_;
  int64_t file_size_ = 0;
  bool closed_ = false;
  Status failed_;  // the first write error; every later call returns it
};

}  // namespace floe::parquet
