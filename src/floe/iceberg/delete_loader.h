// Reading a scan's delete files into what is applied to the rows of its data
// files: the deleted positions of one data file (from its deletion vector or
// its position delete files) and the key sets of equality delete files.
// Each delete file is read at most once per loader, however many data files
// it applies to. Not thread-safe.
#pragma once

#include <map>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/iceberg/delete_index.h"
#include "floe/iceberg/deleted_rows.h"
#include "floe/io/file_io.h"

namespace floe::iceberg {

// The rows of one equality delete file: a row of a data file is deleted when
// its values of the delete file's columns equal one of them (null equals
// null, as the spec says).
class EqualityDeletes {
 public:
  const std::vector<int32_t>& field_ids() const { return field_ids_; }
  // Clears keep[r] for the deleted rows of `batch`, which holds the
  // columns of field_ids() at the top level.
  Status Apply(const RecordBatch& batch, std::span<uint8_t> keep) const;

 private:
  friend class DeleteLoader;
  std::vector<int32_t> field_ids_;
  // One integer-like column (int, long, date, time, timestamps): the values
  // themselves, and whether null is among them; any other key: its bytes.
  bool integer_key_ = false;
  std::unordered_set<int64_t> integers_;
  bool deletes_null_ = false;
  std::unordered_set<std::string> keys_;
};

class DeleteLoader {
 public:
  // REQUIRES: io and schema (the one the scan reads in) outlive the loader.
  DeleteLoader(FileIO& io, const Schema& schema) : io_(io), schema_(schema) {}

  // The positions deleted from `data` by `deletes`' vector or position files.
  Result<DeletedRows> Positions(const DataFile& data, const DeleteIndex::ForFile& deletes);
  // The key sets of `deletes`' equality files. REQUIRES: the loader outlives them.
  Result<std::vector<const EqualityDeletes*>> Equalities(const DeleteIndex::ForFile& deletes);

 private:
  Status ReadPositionFile(const DataFile& file);
  Result<const EqualityDeletes*> ReadEqualityFile(const DataFile& file);

  FileIO& io_;
  const Schema& schema_;
  // Position delete files read so far: by their path, the positions of each data file.
  std::map<std::string, std::map<std::string, std::vector<int64_t>>> position_files_;
  std::map<std::string, EqualityDeletes> equality_files_;
};

// The top-level fields of `schema` that hold the columns equality deletes
// compare (nested ids are refused).
Result<std::vector<NestedField>> EqualityFields(const Schema& schema,
                                                const std::vector<int32_t>& ids);

}  // namespace floe::iceberg
