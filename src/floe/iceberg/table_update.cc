#include "floe/iceberg/table_update.h"

namespace floe::iceberg {

Status SetProperties(const std::map<std::string, std::string>& updates, TableMetadata* m) {
  for (const auto& [k, v] : updates) {
    if (k.empty()) return Status::InvalidArgument("empty property name");
    m->properties[k] = v;
  }
  return Status::OK();
}

Status RemoveProperties(const std::vector<std::string>& keys, TableMetadata* m) {
  for (const std::string& k : keys)
    m->properties.erase(k);  // removing an absent key is not an error
  return Status::OK();
}

Status SetRef(const std::string& name, const SnapshotRef& ref, int64_t now_ms, TableMetadata* m) {
  if (name.empty()) return Status::InvalidArgument("empty reference name");
  if (m->SnapshotById(ref.snapshot_id) == nullptr) {
    return Status::InvalidArgument("snapshot {} does not exist", ref.snapshot_id);
  }
  if (ref.type == SnapshotRef::Type::kTag &&
      (ref.min_snapshots_to_keep || ref.max_snapshot_age_ms)) {
    return Status::InvalidArgument("tag {}: snapshot retention applies to branches only", name);
  }
  if (auto it = m->refs.find(name); it != m->refs.end() && it->second.type != ref.type) {
    return Status::InvalidArgument("{} is a {}, not a {}", name,
                                   it->second.type == SnapshotRef::Type::kTag ? "tag" : "branch",
                                   ref.type == SnapshotRef::Type::kTag ? "tag" : "branch");
  }
  if (name == "main") {
    if (ref.type != SnapshotRef::Type::kBranch)
      return Status::InvalidArgument("main must be a branch");
    if (m->current_snapshot_id != ref.snapshot_id) {
      m->current_snapshot_id = ref.snapshot_id;
      m->snapshot_log.push_back({now_ms, ref.snapshot_id});
    }
  }
  m->refs[name] = ref;
  return Status::OK();
}

Status RemoveRef(const std::string& name, TableMetadata* m) {
  if (name == "main") return Status::InvalidArgument("the main branch cannot be removed");
  if (m->refs.erase(name) == 0) return Status::NotFound("no branch or tag named {}", name);
  return Status::OK();
}

Status SetCurrentSnapshot(int64_t snapshot_id, int64_t now_ms, TableMetadata* m) {
  SnapshotRef main;
  if (auto it = m->refs.find("main"); it != m->refs.end()) main = it->second;
  main.snapshot_id = snapshot_id;
  main.type = SnapshotRef::Type::kBranch;
  return SetRef("main", main, now_ms, m);
}

Status RollbackTo(int64_t snapshot_id, int64_t now_ms, TableMetadata* m) {
  for (const Snapshot* s = m->CurrentSnapshot(); s != nullptr;
       s = s->parent_snapshot_id ? m->SnapshotById(*s->parent_snapshot_id) : nullptr) {
    if (s->snapshot_id == snapshot_id) return SetCurrentSnapshot(snapshot_id, now_ms, m);
  }
  return Status::InvalidArgument("snapshot {} is not an ancestor of the current snapshot",
                                 snapshot_id);
}

}  // namespace floe::iceberg
