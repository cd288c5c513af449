// The counters of a snapshot's summary (spec "Optional Snapshot Summary
// Fields", with Java's names): what the snapshot added and removed, and the
// table's totals after it, from its parent's totals. Deletion vectors count
// as position deletes and their blob as their size, as in Java.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "floe/iceberg/manifest.h"

namespace floe::table {

struct SnapshotCounts {
  int64_t added_data_files = 0, added_records = 0, added_files_size = 0;
  int64_t removed_data_files = 0, removed_records = 0, removed_files_size = 0;
  int64_t added_delete_files = 0, added_dvs = 0, added_position_delete_files = 0;
  int64_t added_equality_delete_files = 0, added_position_deletes = 0, added_equality_deletes = 0;
  int64_t removed_delete_files = 0, removed_dvs = 0, removed_position_delete_files = 0;
  int64_t removed_equality_delete_files = 0, removed_position_deletes = 0;
  int64_t removed_equality_deletes = 0;
  std::set<std::string> partitions;  // changed ones, by spec and tuple

  // A file's size counts its bytes, a deletion vector's its blob's.
  void Add(const iceberg::DataFile& file);
  void Remove(const iceberg::DataFile& file);

  // The summary of an `operation` snapshot whose parent's summary is `parent`.
  std::map<std::string, std::string> Summary(
      const std::string& operation, const std::map<std::string, std::string>& parent) const;
};

}  // namespace floe::table
