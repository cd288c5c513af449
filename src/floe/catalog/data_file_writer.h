// Writing rows of a table as Parquet data files: each row goes to the file of
// its partition (the spec's transforms applied to the row), and each finished
// file is described as an Iceberg DataFile with its metrics and typed
// partition tuple, ready for a manifest. At most 100 files are open at once:
// rows spread over more partitions finish the least recently used file, so a
// partition may get several files.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/format/parquet/file_writer.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::catalog {

class DataFileWriter {
 public:
  // Files go under <table location>/data/<partition path>/.
  DataFileWriter(const iceberg::TableMetadata& metadata, const iceberg::PartitionSpec& spec);

  // Routes each row of `batch` (in the table's current schema) to its
  // partition's file.
  Status Add(const RecordBatch& batch);
  // Closes every file and describes it. The writer is empty afterwards.
  Result<std::vector<iceberg::DataFile>> Finish();

 private:
  // Rows of one partition on their way into one data file.
  struct PartitionWriter {
    std::vector<Column> key;  // the partition tuple, one one-row column per field
    std::string path;
    std::unique_ptr<parquet::FileWriter> writer;
    RecordBatch pending;
    uint64_t last_used = 0;  // rows_routed_ when it last got a row
  };

  Result<PartitionWriter> Open(const std::vector<Column>& values,
                               const std::vector<const NestedField*>& sources, int64_t row);
  Status Flush(PartitionWriter& w);
  // Finishes the file of `w` and describes it in finished_.
  Status Close(PartitionWriter& w);

  const iceberg::TableMetadata& metadata_;
  const iceberg::PartitionSpec& spec_;
  const Schema& schema_;
  std::map<std::string, PartitionWriter> writers_;  // open files by partition key
  std::vector<iceberg::DataFile> finished_;
  uint64_t rows_routed_ = 0;
};

// Reads an input file into batches of `schema` for `out`: .parquet (columns
// matched to the schema by name), or .jsonl / .csv text
// (columnar/text_reader.h).
Status ReadInput(const std::string& path, const Schema& schema, DataFileWriter* out);

}  // namespace floe::catalog
