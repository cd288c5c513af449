#include "floe/table/snapshot_summary.h"

#include <fmt/format.h>

#include <cstdlib>

namespace floe::table {
namespace {

void Count(const iceberg::DataFile& f, bool added, SnapshotCounts& c) {
  const int64_t size = f.content_size_in_bytes.value_or(f.file_size_in_bytes);
  c.partitions.insert(fmt::format("{}/{}", f.spec_id, f.partition_json));
  if (f.content == 0) {
    (added ? c.added_data_files : c.removed_data_files) += 1;
    (added ? c.added_records : c.removed_records) += f.record_count;
    (added ? c.added_files_size : c.removed_files_size) += size;
    return;
  }
  (added ? c.added_delete_files : c.removed_delete_files) += 1;
  (added ? c.added_files_size : c.removed_files_size) += size;
  if (f.content == 2) {
    (added ? c.added_equality_delete_files : c.removed_equality_delete_files) += 1;
    (added ? c.added_equality_deletes : c.removed_equality_deletes) += f.record_count;
    return;
  }
  if (f.content_offset) {
    (added ? c.added_dvs : c.removed_dvs) += 1;
  } else {
    (added ? c.added_position_delete_files : c.removed_position_delete_files) += 1;
  }
  (added ? c.added_position_deletes : c.removed_position_deletes) += f.record_count;
}

}  // namespace

void SnapshotCounts::Add(const iceberg::DataFile& file) {
  Count(file, true, *this);
}

void SnapshotCounts::Remove(const iceberg::DataFile& file) {
  Count(file, false, *this);
}

std::map<std::string, std::string> SnapshotCounts::Summary(
    const std::string& operation, const std::map<std::string, std::string>& parent) const {
  std::map<std::string, std::string> s = {{"operation", operation}};
  auto put = [&](const char* key, int64_t v) {
    if (v != 0) s[key] = std::to_string(v);
  };
  put("added-data-files", added_data_files);
  put("added-records", added_records);
  put("added-files-size", added_files_size);
  put("deleted-data-files", removed_data_files);
  put("deleted-records", removed_records);
  put("removed-files-size", removed_files_size);
  put("added-delete-files", added_delete_files);
  put("added-dvs", added_dvs);
  put("added-position-delete-files", added_position_delete_files);
  put("added-equality-delete-files", added_equality_delete_files);
  put("added-position-deletes", added_position_deletes);
  put("added-equality-deletes", added_equality_deletes);
  put("removed-delete-files", removed_delete_files);
  put("removed-dvs", removed_dvs);
  put("removed-position-delete-files", removed_position_delete_files);
  put("removed-equality-delete-files", removed_equality_delete_files);
  put("removed-position-deletes", removed_position_deletes);
  put("removed-equality-deletes", removed_equality_deletes);
  // An append that adds no file changes no partition.
  s["changed-partition-count"] = std::to_string(partitions.size());
  auto total = [&](const char* key, int64_t delta) {
    int64_t base = 0;
    if (auto it = parent.find(key); it != parent.end())
      base = std::strtoll(it->second.c_str(), nullptr, 10);
    s[key] = std::to_string(base + delta);
  };
  total("total-data-files", added_data_files - removed_data_files);
  total("total-records", added_records - removed_records);
  total("total-files-size", added_files_size - removed_files_size);
  total("total-delete-files", added_delete_files - removed_delete_files);
  total("total-position-deletes", added_position_deletes - removed_position_deletes);
  total("total-equality-deletes", added_equality_deletes - removed_equality_deletes);
  return s;
}

}  // namespace floe::table
