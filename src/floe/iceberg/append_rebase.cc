#include "floe/iceberg/append_rebase.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "floe/iceberg/manifest.h"
#include "floe/iceberg/manifest_writer.h"

namespace floe::iceberg {
namespace {

Status Refused(std::string_view why) {
  return Status::Conflict("cannot rebase the append onto the current main: {}", why);
}

int64_t SummaryNumber(const std::map<std::string, std::string>& summary, const char* key) {
  auto it = summary.find(key);
  return it == summary.end() ? 0 : std::strtoll(it->second.c_str(), nullptr, 10);
}

// The totals a snapshot summary carries, with the counters that change them.
struct Total {
  const char* total;
  const char* added;
  const char* removed;
};
constexpr Total kTotals[] = {
    {"total-records", "added-records", "deleted-records"},
    {"total-files-size", "added-files-size", "removed-files-size"},
    {"total-data-files", "added-data-files", "deleted-data-files"},
    {"total-delete-files", "added-delete-files", "removed-delete-files"},
    {"total-position-deletes", "added-position-deletes", "removed-position-deletes"},
    {"total-equality-deletes", "added-equality-deletes", "removed-equality-deletes"},
};

// `summary`'s totals recounted on `parent`'s: a total the parent lacks is
// unknown, so it is dropped (as Java does).
void RecountTotals(const std::map<std::string, std::string>& parent,
                   std::map<std::string, std::string>* summary) {
  for (const Total& t : kTotals) {
    if (!parent.contains(t.total)) {
      summary->erase(t.total);
      continue;
    }
    (*summary)[t.total] =
        std::to_string(SummaryNumber(parent, t.total) + SummaryNumber(*summary, t.added) -
                       SummaryNumber(*summary, t.removed));
  }
}

// Checks that main's history since `parent` (exclusive; the table's first
// snapshot when there is none) holds appends only, and returns main's snapshot.
Result<const Snapshot*> AppendsSince(const TableMetadata& current, std::optional<int64_t> parent) {
  const Snapshot* head = current.CurrentSnapshot();
  if (head == nullptr) return Refused("the table has no current snapshot");
  for (const Snapshot* s = head; !(parent && s->snapshot_id == *parent);) {
    if (s->operation() != "append") {
      return Refused(fmt::format("snapshot {} since the append's parent is a '{}'", s->snapshot_id,
                                 s->operation()));
    }
    if (!s->parent_snapshot_id) {
      if (!parent) return head;
      return Refused(fmt::format("its parent {} is not an ancestor of main", *parent));
    }
    s = current.SnapshotById(*s->parent_snapshot_id);
    if (s == nullptr) return Refused("main's history since the append's parent was expired");
  }
  return head;
}

std::vector<std::string> SortedPaths(const std::vector<ManifestFile>& manifests) {
  std::vector<std::string> paths;
  paths.reserve(manifests.size());
  for (const ManifestFile& m : manifests) paths.push_back(m.manifest_path);
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace

Result<Snapshot> RebaseFastAppend(FileIO& io, const Snapshot& append, const TableMetadata& current,
                                  const std::string& manifest_list_path) {
  if (current.format_version != 2) {
    return Refused(fmt::format("the table is format v{}", current.format_version));
  }
  if (append.operation() != "append") {
    return Refused(fmt::format("the snapshot is a '{}'", append.operation()));
  }
  FLOE_ASSIGN_OR_RETURN(const Snapshot* head, AppendsSince(current, append.parent_snapshot_id));

  // The append's list: its own manifests of added files, then its parent's.
  FLOE_ASSIGN_OR_RETURN(std::vector<ManifestFile> listed,
                        ReadManifestList(io, append.manifest_list));
  std::vector<ManifestFile> own, carried;
  for (ManifestFile& m : listed) {
    (m.added_snapshot_id == append.snapshot_id ? own : carried).push_back(std::move(m));
  }
  for (const ManifestFile& m : own) {
    if (m.content != 0 || m.existing_files_count.value_or(-1) != 0 ||
        m.deleted_files_count.value_or(-1) != 0) {
      return Refused(
          fmt::format("its manifest {} holds more than added data files", m.manifest_path));
    }
  }
  std::vector<ManifestFile> parents;
  if (append.parent_snapshot_id) {
    const Snapshot* parent = current.SnapshotById(*append.parent_snapshot_id);
    FLOE_ASSIGN_OR_RETURN(parents, ReadManifestList(io, parent->manifest_list));
  }
  if (SortedPaths(carried) != SortedPaths(parents)) {
    return Refused("its manifest list is not its parent's manifests plus its own");
  }

  Snapshot rebased = append;
  rebased.parent_snapshot_id = head->snapshot_id;
  rebased.sequence_number = current.last_sequence_number + 1;
  rebased.timestamp_ms = std::max(append.timestamp_ms, head->timestamp_ms + 1);
  rebased.manifest_list = manifest_list_path;
  RecountTotals(head->summary, &rebased.summary);
  for (ManifestFile& m : own) {
    // Added entries inherit the manifest's sequence number (the spec leaves
    // them null until the commit); a writer's explicit older ones stay.
    if (m.min_sequence_number == append.sequence_number) {
      m.min_sequence_number = rebased.sequence_number;
    }
    m.sequence_number = rebased.sequence_number;
  }
  FLOE_ASSIGN_OR_RETURN(std::vector<ManifestFile> heads, ReadManifestList(io, head->manifest_list));
  own.insert(own.end(), heads.begin(), heads.end());
  FLOE_RETURN_IF_ERROR(WriteManifestList(io, manifest_list_path, rebased, own));
  return rebased;
}

}  // namespace floe::iceberg
