// Writing the delete files of a row-level change: equality delete files
// where asked for, else position deletes: on v3 tables one
// deletion vector per data file, all in one Puffin file (each vector holds
// every deleted position of its file, those of the vector it replaces
// included, since a data file has at most one); on v2 tables one position
// delete file per data file (Parquet: file_path and pos, sorted, with the
// data file as referenced_data_file and full file_path bounds).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "floe/format/puffin/puffin_file.h"
#include "floe/iceberg/deleted_rows.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::table {

// Not thread-safe. After an error the files written so far are listed by
// written() and are the caller's to delete.
class DeleteFileWriter {
 public:
  // REQUIRES: io and metadata outlive the writer.
  DeleteFileWriter(FileIO& io, const iceberg::TableMetadata& metadata);
  DeleteFileWriter(DeleteFileWriter&&) noexcept;
  ~DeleteFileWriter();

  bool deletion_vectors() const { return metadata_.format_version >= 3; }
  // Deletes `positions` (ascending, distinct) of the data file `data`.
  Status Add(const iceberg::DataFile& data, const iceberg::DeletedRows& positions);
  // Deletes every row, in data files older than the commit, whose values of
  // `keys`' columns (top-level fields of the table, by id) equal one of
  // `keys`' rows: an equality delete file in `data`'s partition.
  Status AddEquality(const iceberg::DataFile& data, const RecordBatch& keys);
  // Finishes the files; their entries, for a delete manifest.
  Result<std::vector<iceberg::DataFile>> Finish();
  // Every file written or started, for cleaning up after a failed commit.
  const std::vector<std::string>& written() const { return written_; }

 private:
  std::string NewPath(const char* suffix) const;
  // Writes `batch` as the Parquet delete file `file` (content, partition set)
  // and completes its size and metrics.
  Status WriteParquet(const RecordBatch& batch, iceberg::DataFile file);

  FileIO& io_;
  const iceberg::TableMetadata& metadata_;
  std::optional<puffin::PuffinWriter> puffin_;
  std::vector<iceberg::DataFile> files_;  // finished, or DVs awaiting their Puffin file's size
  std::vector<std::string> written_;
};

}  // namespace floe::table
