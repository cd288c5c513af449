// Writing rows of a table as Parquet data files: each row goes to the file of
// its partition (the spec's transforms applied to the row), and each finished
// file is described as an Iceberg DataFile with its metrics and typed
// partition tuple, ready for a manifest. The table's write.* properties
// decide the files (table/write_options.h): a file is finished at the
// target size and the partition's next rows start another; at most
// max_open_files are open (rows of more partitions finish the least recently
// used one); all open files share one pool of encoder threads; and the rows
// held in memory across them stay under max_buffered_bytes (the largest row
// group is written out early). Not thread-safe: one thread adds and finishes.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/format/parquet/file_writer.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/table/write_options.h"

namespace floe::table {

class DataFileWriter {
 public:
  // Files go under <table location>/data/<partition path>/, written as the
  // table's properties say; kInvalidArgument for a malformed write property.
  static Result<std::unique_ptr<DataFileWriter>> Open(FileIO& io,
                                                      const iceberg::TableMetadata& metadata,
                                                      const iceberg::PartitionSpec& spec);
  // REQUIRES: io, metadata and spec outlive the writer.
  DataFileWriter(FileIO& io, const iceberg::TableMetadata& metadata,
                 const iceberg::PartitionSpec& spec, DataWriteOptions options);

  // Routes each row of `batch` (in the table's current schema) to its
  // partition's file.
  Status Add(const RecordBatch& batch);
  // The same, taking the batch: an unpartitioned table's rows are not copied
  // when no others wait for the encoder.
  Status Add(RecordBatch&& batch);
  // Closes every file and describes it. The writer is empty afterwards.
  Result<std::vector<iceberg::DataFile>> Finish();

 private:
  // Rows of one partition on their way into its data files: collected in
  // `pending` (cheap, no file), then encoded into the partition's open file.
  struct Partition {
    std::vector<Column> key;    // the partition tuple, one one-row column per field
    std::string dir;            // <location>/data/<partition path>
    RecordBatch pending;        // rows not yet handed to the encoder
    int64_t pending_bytes = 0;  // their values' bytes, counted every kBytesCheckRows rows
    std::string path;           // of the open file, when there is one
    std::unique_ptr<parquet::FileWriter> writer;
    uint64_t last_used = 0;  // when its file last got rows, for choosing which to close
  };

  Result<Partition> NewPartition(const std::vector<Column>& values,
                                 const std::vector<const NestedField*>& sources, int64_t row);
  // Encodes p's pending rows into its file (opened if need be, closing the
  // least recently used one past max_open_files); a file that reached the
  // target size is finished.
  Status Flush(Partition& p);
  // Finishes p's open file and describes it in finished_.
  Status CloseFile(Partition& p);
  // Encodes or writes out the largest holdings while the rows held exceed the budget.
  Status KeepWithinBudget();

  FileIO& io_;
  const iceberg::TableMetadata& metadata_;
  const iceberg::PartitionSpec& spec_;
  const Schema& schema_;
  DataWriteOptions options_;
  int64_t batch_bytes_;  // pending bytes that make a partition's rows worth encoding
  ThreadPool pool_;      // the encoder threads of every open file
  std::map<std::string, Partition> partitions_;  // by partition key
  size_t open_files_ = 0;
  std::vector<iceberg::DataFile> finished_;
  uint64_t flushes_ = 0;
};

// Reads a local input file into batches of `schema` for `out`: .parquet
// (columns matched to the schema by name), or .jsonl / .csv text
// (columnar/text_reader.h).
Status ReadInput(const std::string& path, const Schema& schema, DataFileWriter* out);

}  // namespace floe::table
