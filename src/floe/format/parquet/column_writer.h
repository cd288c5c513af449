// Writes one leaf column of one row group: levels, values (dictionary or
// plain), pages, compression and the column chunk's statistics.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "floe/format/parquet/levels.h"
#include "floe/format/parquet/metadata.h"
#include "floe/format/parquet/schema_mapping.h"
#include "floe/util/thread_pool.h"

namespace floe::parquet {

struct WriterOptions {
  CompressionCodec codec = CompressionCodec::kZstd;
  int compression_level = 0;                // 0: zstd 1, brotli 8 (as pyarrow), else the codec's
  int64_t row_group_bytes = 128ll << 20;    // target uncompressed size of a row group
  int64_t row_group_rows = 1ll << 20;       // and its largest row count (pyarrow's default)
  int64_t page_bytes = 1 << 20;             // target uncompressed size of a data page
  int64_t dictionary_page_bytes = 1 << 20;  // past this a column falls back to PLAIN
  bool dictionary = true;
  int data_page_version = 1;  // 1 or 2
  int threads = -1;           // worker threads encoding columns; -1: cores - 1
  // Encoder threads shared by several writers (a writer of many partition
  // files): used instead of a pool of `threads` of the writer's own.
  // REQUIRES: outlives the writer; the writers sharing it are used from one
  // thread (ThreadPool::ParallelFor is not reentrant).
  ThreadPool* pool = nullptr;
};

// A finished column chunk: its pages and what the footer says about them.
// The chunk is dictionary_page (possibly empty) followed by data_pages; offsets
// in `meta` are relative to its start and the file writer shifts them.
struct ColumnChunkData {
  std::string dictionary_page;
  std::string data_pages;
  ColumnMetaData meta;
  int64_t value_count = 0;  // entries, nulls included
  int64_t null_count = 0;
  int64_t nan_count = 0;
  // Type-ordered min / max of the chunk's non-null, non-NaN values in PLAIN
  // form (no length prefix); empty optional when there are none.
  std::optional<std::string> min_value;
  std::optional<std::string> max_value;
};

class ColumnWriter {
 public:
  ColumnWriter(const LeafColumn& leaf, const WriterOptions& options);
  ~ColumnWriter();
  ColumnWriter(ColumnWriter&&) noexcept;
  ColumnWriter& operator=(ColumnWriter&&) noexcept;

  // Adds the entries of one shredded batch.
  Status Write(const ShreddedLeaf& shredded);
  // Uncompressed bytes buffered so far: finished pages plus the open page.
  int64_t buffered_bytes() const;
  // Ends the chunk and resets the writer for the next row group.
  Result<ColumnChunkData> Finish();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::parquet
