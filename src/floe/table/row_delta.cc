#include "floe/table/row_delta.h"

#include <fmt/format.h>

#include <set>

#include "floe/iceberg/expression/metrics_evaluator.h"
#include "floe/iceberg/manifest_writer.h"
#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/table_update.h"

namespace floe::table {
namespace {

using iceberg::DataFile;
using iceberg::ManifestEntry;
using iceberg::ManifestFile;
using iceberg::TableMetadata;

// Deletion vectors share their Puffin file: a delete file is its path and
// blob offset.
std::string FileKey(const DataFile& f) {
  return f.content_offset ? fmt::format("{}#{}", f.file_path, *f.content_offset) : f.file_path;
}

std::string PartitionKey(const DataFile& f) {
  return fmt::format("{}/{}", f.spec_id, f.partition_json);
}

// What the delta touches, for validating it against later commits.
struct Touched {
  std::set<std::string> removed;              // FileKey of each removed file
  std::set<std::string> referenced;           // data files it deletes rows of
  std::set<std::string> partitions;           // PartitionKey of those data files
  std::optional<iceberg::Expression> filter;  // bound, with NOT rewritten away
};

Result<Touched> TouchedBy(const RowDelta& delta, const TableMetadata& m) {
  Touched t;
  for (const ManifestEntry& e : delta.removed) {
    t.removed.insert(FileKey(e.data_file));
    if (e.data_file.content == 0) {
      t.referenced.insert(e.data_file.file_path);
      t.partitions.insert(PartitionKey(e.data_file));
    }
  }
  for (const DataFile& d : delta.added_deletes) {
    if (d.referenced_data_file) t.referenced.insert(*d.referenced_data_file);
    t.partitions.insert(PartitionKey(d));
  }
  if (delta.conflict_filter) {
    FLOE_ASSIGN_OR_RETURN(iceberg::Expression bound,
                          iceberg::Bind(*delta.conflict_filter, *m.CurrentSchema()));
    t.filter = iceberg::RewriteNot(bound);
  }
  return t;
}

// The delta against every snapshot committed after its base (header).
// `validated`: snapshots an earlier attempt checked already (snapshots never
// change, so each is read once however often the commit is retried); the
// ones checked now join it.
Status ValidateSince(FileIO& io, const TableMetadata& m, const RowDelta& delta,
                     std::set<int64_t>* validated) {
  if (m.current_snapshot_id == delta.base_snapshot_id) return Status::OK();
  std::vector<const iceberg::Snapshot*> since;  // newest first, not yet validated
  const iceberg::Snapshot* s = m.CurrentSnapshot();
  for (; s != nullptr && s->snapshot_id != delta.base_snapshot_id;
       s = s->parent_snapshot_id ? m.SnapshotById(*s->parent_snapshot_id) : nullptr) {
    if (!validated->count(s->snapshot_id)) since.push_back(s);
  }
  if (s == nullptr && delta.base_snapshot_id) {
    return Status::Conflict(
        "snapshot {} the change was planned on is no longer an ancestor of the current one",
        *delta.base_snapshot_id);
  }
  FLOE_ASSIGN_OR_RETURN(const Touched t, TouchedBy(delta, m));
  for (const iceberg::Snapshot* later : since) {
    FLOE_ASSIGN_OR_RETURN(auto manifests, iceberg::ReadManifestList(io, later->manifest_list));
    for (const ManifestFile& manifest : manifests) {
      if (manifest.added_snapshot_id != later->snapshot_id) continue;  // carried over
      FLOE_ASSIGN_OR_RETURN(auto entries,
                            iceberg::ReadManifest(io, manifest, nullptr,
                                                  [](int32_t status, const std::vector<Column>&) {
                                                    return status != 0;
                                                  }));
      for (const ManifestEntry& e : entries) {
        if (e.snapshot_id != later->snapshot_id) continue;
        const DataFile& f = e.data_file;
        if (e.status == 2 && (t.removed.count(FileKey(f)) || t.referenced.count(f.file_path))) {
          return Status::Conflict("{} was removed by snapshot {}, committed meanwhile", f.file_path,
                                  later->snapshot_id);
        }
        if (e.status != 1) continue;
        if (f.content == 1) {
          const bool applies = f.referenced_data_file
                                   ? t.referenced.count(*f.referenced_data_file) > 0
                                   : t.partitions.count(PartitionKey(f)) > 0;
          if (applies) {
            return Status::Conflict(
                "snapshot {}, committed meanwhile, added position deletes ({}) for a data file "
                "this change deletes from",
                later->snapshot_id, f.file_path);
          }
        } else if (f.content == 0 && t.filter && iceberg::FileMightMatch(*t.filter, f)) {
          return Status::Conflict(
              "snapshot {}, committed meanwhile, added {}, which may hold rows matching {}",
              later->snapshot_id, f.file_path, iceberg::ToString(*delta.conflict_filter));
        }
      }
    }
    validated->insert(later->snapshot_id);
  }
  return Status::OK();
}

}  // namespace

Result<RowDeltaResult> CommitRowDelta(catalog::Catalog& catalog, const catalog::TableIdentifier& id,
                                      const RowDelta& delta) {
  FileIO& io = catalog.io();
  RowDeltaResult result;
  if (delta.added_data.empty() && delta.added_deletes.empty() && delta.removed.empty()) {
    FLOE_ASSIGN_OR_RETURN(result.commit.metadata_location, catalog.LoadTable(id));
    FLOE_ASSIGN_OR_RETURN(result.commit.metadata,
                          iceberg::ReadTableMetadataFile(io, result.commit.metadata_location));
    return result;
  }
  // Manifests of the new files, written on the first attempt and reused by
  // later ones (their entries inherit snapshot id and sequence number).
  std::vector<ManifestFile> added_manifests;
  std::vector<std::string> attempt_files;  // this attempt's rewritten manifests and list
  auto remove_attempt_files = [&] {
    for (const std::string& path : attempt_files) (void)io.Delete(path);
    attempt_files.clear();
  };
  std::set<std::string> removed_keys;
  bool removes_data = false, removes_deletes = false;  // which manifests to look through
  for (const ManifestEntry& e : delta.removed) {
    removed_keys.insert(FileKey(e.data_file));
    (e.data_file.content == 0 ? removes_data : removes_deletes) = true;
  }
  std::set<int64_t> validated;  // snapshots after the base that ValidateSince checked
  SnapshotCounts& counts = result.counts;
  for (const DataFile& f : delta.added_data) counts.Add(f);
  for (const DataFile& f : delta.added_deletes) counts.Add(f);
  for (const ManifestEntry& e : delta.removed) counts.Remove(e.data_file);

  auto change = [&](TableMetadata& m) -> Status {
    remove_attempt_files();
    FLOE_RETURN_IF_ERROR(ValidateSince(io, m, delta, &validated));
    if (added_manifests.empty()) {
      // A manifest per partition spec: the data files' (the spec they were
      // written for, which need not be the default one any more), then the
      // delete files' (their data files').
      std::map<int32_t, std::vector<DataFile>> data_by_spec, deletes_by_spec;
      for (const DataFile& f : delta.added_data) data_by_spec[f.spec_id].push_back(f);
      for (const DataFile& f : delta.added_deletes) deletes_by_spec[f.spec_id].push_back(f);
      auto write = [&](int32_t spec_id, const std::vector<DataFile>& files) -> Status {
        const iceberg::PartitionSpec* spec = m.SpecById(spec_id);
        if (spec == nullptr) return Status::Conflict("partition spec {} is gone", spec_id);
        const std::string path = fmt::format("{}/metadata/{}-m{}.avro", m.location,
                                             iceberg::NewUuid(), added_manifests.size());
        FLOE_ASSIGN_OR_RETURN(
            ManifestFile written,
            iceberg::WriteManifest(io, path, m, *spec, iceberg::AddedEntries(files)));
        added_manifests.push_back(std::move(written));
        return Status::OK();
      };
      for (const auto& [spec_id, files] : data_by_spec) FLOE_RETURN_IF_ERROR(write(spec_id, files));
      for (const auto& [spec_id, files] : deletes_by_spec)
        FLOE_RETURN_IF_ERROR(write(spec_id, files));
    }
    iceberg::Snapshot s = NewSnapshot(m);
    std::vector<ManifestFile> manifests;
    for (ManifestFile added : added_manifests) {
      iceberg::AssignManifestToSnapshot(s, &added);
      manifests.push_back(std::move(added));
    }
    // The parent's manifests; those holding a removed file are rewritten
    // with its entry DELETED and the others EXISTING.
    std::map<std::string, std::string> parent_summary;
    size_t found = 0;
    if (const iceberg::Snapshot* parent = m.CurrentSnapshot()) {
      parent_summary = parent->summary;
      FLOE_ASSIGN_OR_RETURN(auto existing, iceberg::ReadManifestList(io, parent->manifest_list));
      for (ManifestFile& manifest : existing) {
        if (!(manifest.content == 0 ? removes_data : removes_deletes)) {
          manifests.push_back(std::move(manifest));
          continue;
        }
        FLOE_ASSIGN_OR_RETURN(TypePtr partition_type,
                              m.PartitionTypeOf(manifest.partition_spec_id));
        FLOE_ASSIGN_OR_RETURN(auto entries,
                              iceberg::ReadManifest(io, manifest, partition_type,
                                                    [](int32_t status, const std::vector<Column>&) {
                                                      return status != 2;
                                                    }));
        size_t here = 0;
        for (ManifestEntry& e : entries) {
          if (removed_keys.count(FileKey(e.data_file))) {
            e.status = 2;
            ++here;
          } else {
            e.status = 0;
          }
        }
        if (here == 0) {
          manifests.push_back(std::move(manifest));
          continue;
        }
        found += here;
        const iceberg::PartitionSpec* spec = m.SpecById(manifest.partition_spec_id);
        if (spec == nullptr) {
          return Status::Corruption("manifest {} of unknown spec {}", manifest.manifest_path,
                                    manifest.partition_spec_id);
        }
        const std::string path = fmt::format("{}/metadata/{}-m{}.avro", m.location,
                                             iceberg::NewUuid(), manifests.size());
        attempt_files.push_back(path);
        FLOE_ASSIGN_OR_RETURN(ManifestFile rewritten,
                              iceberg::WriteManifest(io, path, m, *spec, entries));
        iceberg::AssignManifestToSnapshot(s, &rewritten);
        manifests.push_back(std::move(rewritten));
      }
    }
    if (found != removed_keys.size()) {
      return Status::Conflict("{} of the {} files to remove are no longer in the table",
                              removed_keys.size() - found, removed_keys.size());
    }
    s.manifest_list =
        fmt::format("{}/metadata/snap-{}-1-{}.avro", m.location, s.snapshot_id, iceberg::NewUuid());
    attempt_files.push_back(s.manifest_list);
    iceberg::AssignRowLineage(&s, &manifests, &m);
    FLOE_RETURN_IF_ERROR(
        iceberg::WriteManifestList(io, s.manifest_list, s, manifests, m.format_version));
    result.operation = delta.added_data.empty()                               ? "delete"
                       : delta.added_deletes.empty() && delta.removed.empty() ? "append"
                                                                              : "overwrite";
    s.summary = counts.Summary(result.operation, parent_summary);
    s.summary.insert(delta.summary.begin(), delta.summary.end());  // the standard ones win
    result.snapshot_id = s.snapshot_id;
    m.snapshots.push_back(s);
    m.last_sequence_number = s.sequence_number;
    return iceberg::SetCurrentSnapshot(s.snapshot_id, s.timestamp_ms, &m);
  };
  auto committed = CommitTableChange(catalog, id, change);
  if (!committed.ok()) {
    if (catalog::CommitCertainlyFailed(committed.status())) {
      remove_attempt_files();
      for (const ManifestFile& m : added_manifests) (void)io.Delete(m.manifest_path);
    }
    return committed.status();
  }
  result.commit = *std::move(committed);
  return result;
}

}  // namespace floe::table
