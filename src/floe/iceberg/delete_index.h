// Which delete files of a snapshot apply to which of its data files, by the
// spec's scope rules ("Scan Planning"):
//   deletion vector   the data file it references, data sequence number of
//                     the data <= the vector's; it replaces every position
//                     delete file of that data file
//   position deletes  same spec and partition, data sequence number <= the
//                     delete file's, the referenced data file if it names
//                     one, and file_path within its bounds (metrics)
//   equality deletes  data sequence number strictly below the delete file's,
//                     same spec and partition, or any partition when the
//                     delete file's spec is unpartitioned (global deletes)
#pragma once

#include <map>
#include <string>
#include <vector>

#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {

// Field ids of the position delete files' columns (spec "Reserved Field IDs").
inline constexpr int32_t kDeleteFilePathId = 2147483546;
inline constexpr int32_t kDeletePosId = 2147483545;

class DeleteIndex {
 public:
  // The delete files that apply to one data file.
  struct ForFile {
    const ManifestEntry* vector = nullptr;        // its deletion vector
    std::vector<const ManifestEntry*> positions;  // only without a vector
    std::vector<const ManifestEntry*> equalities;
    bool empty() const { return vector == nullptr && positions.empty() && equalities.empty(); }
  };

  DeleteIndex() = default;
  // `deletes`: the snapshot's live delete entries (content 1 or 2). Two
  // deletion vectors for one data file are corruption (the spec allows one).
  static Result<DeleteIndex> Make(const TableMetadata& metadata,
                                  std::vector<ManifestEntry> deletes);

  bool empty() const { return deletes_.empty(); }
  // REQUIRES: the index outlives what it returns.
  ForFile For(const ManifestEntry& data) const;

 private:
  std::vector<ManifestEntry> deletes_;
  std::map<std::string, const ManifestEntry*> vectors_;  // by referenced data file
  // By spec id and partition: position delete files, equality delete files.
  std::map<std::string, std::vector<const ManifestEntry*>> positions_, equalities_;
  std::vector<const ManifestEntry*> global_equalities_;
};

}  // namespace floe::iceberg
