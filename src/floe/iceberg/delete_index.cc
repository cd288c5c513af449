#include "floe/iceberg/delete_index.h"

#include <algorithm>

namespace floe::iceberg {
namespace {

// Files of one spec and partition share a key (partition_json is written by
// one function from the manifest's typed tuple, so equal tuples give equal text).
std::string PartitionKey(const DataFile& f) {
  return std::to_string(f.spec_id) + "/" + f.partition_json;
}

int64_t DataSequence(const ManifestEntry& e) {
  return e.sequence_number.value_or(0);
}

bool Unpartitioned(const TableMetadata& metadata, int32_t spec_id) {
  const PartitionSpec* spec = metadata.SpecById(spec_id);
  return spec == nullptr ||
         std::all_of(spec->fields.begin(), spec->fields.end(), [](const PartitionField& f) {
           return f.transform.kind() == Transform::Kind::kVoid;
         });
}

// Whether the delete file's file_path bounds leave room for `path`.
bool PathInBounds(const DataFile& deletes, const std::string& path) {
  auto lower = deletes.lower_bounds.find(kDeleteFilePathId);
  if (lower != deletes.lower_bounds.end() && path < lower->second) return false;
  auto upper = deletes.upper_bounds.find(kDeleteFilePathId);
  return upper == deletes.upper_bounds.end() || path <= upper->second;
}

}  // namespace

Result<DeleteIndex> DeleteIndex::Make(const TableMetadata& metadata,
                                      std::vector<ManifestEntry> deletes) {
  DeleteIndex index;
  index.deletes_ = std::move(deletes);
  for (const ManifestEntry& e : index.deletes_) {
    const DataFile& f = e.data_file;
    if (f.content == 1 && f.content_offset) {
      if (!f.referenced_data_file) {
        return Status::Corruption("deletion vector {} names no data file", f.file_path);
      }
      auto [it, added] = index.vectors_.emplace(*f.referenced_data_file, &e);
      if (!added) {
        return Status::Corruption("two deletion vectors for data file {} ({} and {})",
                                  *f.referenced_data_file, it->second->data_file.file_path,
                                  f.file_path);
      }
    } else if (f.content == 1) {
      index.positions_[PartitionKey(f)].push_back(&e);
    } else if (f.content == 2) {
      if (f.equality_ids.empty()) {
        return Status::Corruption("equality delete file {} has no equality_ids", f.file_path);
      }
      if (Unpartitioned(metadata, f.spec_id)) {
        index.global_equalities_.push_back(&e);
      } else {
        index.equalities_[PartitionKey(f)].push_back(&e);
      }
    } else {
      return Status::Corruption("{}: content {} in a delete manifest", f.file_path, f.content);
    }
  }
  return index;
}

DeleteIndex::ForFile DeleteIndex::For(const ManifestEntry& data) const {
  ForFile out;
  if (deletes_.empty()) return out;
  const DataFile& file = data.data_file;
  const int64_t sequence = DataSequence(data);
  const std::string key = PartitionKey(file);
  if (auto it = vectors_.find(file.file_path);
      it != vectors_.end() && sequence <= DataSequence(*it->second)) {
    out.vector = it->second;
  } else if (auto p = positions_.find(key); p != positions_.end()) {
    for (const ManifestEntry* d : p->second) {
      const DataFile& f = d->data_file;
      if (sequence > DataSequence(*d)) continue;
      if (f.referenced_data_file && *f.referenced_data_file != file.file_path) continue;
      if (!PathInBounds(f, file.file_path)) continue;
      out.positions.push_back(d);
    }
  }
  auto older = [&](const ManifestEntry* d) { return sequence < DataSequence(*d); };
  if (auto q = equalities_.find(key); q != equalities_.end()) {
    std::copy_if(q->second.begin(), q->second.end(), std::back_inserter(out.equalities), older);
  }
  std::copy_if(global_equalities_.begin(), global_equalities_.end(),
               std::back_inserter(out.equalities), older);
  return out;
}

}  // namespace floe::iceberg
