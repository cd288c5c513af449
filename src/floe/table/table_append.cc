#include "floe/table/table_append.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "floe/iceberg/manifest_merge.h"
#include "floe/iceberg/manifest_writer.h"
#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/table_update.h"
#include "floe/io/file.h"
#include "floe/table/data_file_writer.h"

namespace floe::table {
namespace {

std::string SummaryAdd(const std::map<std::string, std::string>& parent, const char* key,
                       int64_t added) {
  int64_t base = 0;
  if (auto it = parent.find(key); it != parent.end())
    base = std::strtoll(it->second.c_str(), nullptr, 10);
  return std::to_string(base + added);
}

}  // namespace

Result<AppendResult> AppendFiles(catalog::Catalog& catalog, const catalog::TableIdentifier& id,
                                 const std::vector<std::string>& inputs,
                                 const AppendOptions& options) {
  // Write the data files against the current metadata.
  FileIO& io = catalog.io();
  FLOE_ASSIGN_OR_RETURN(std::string location, catalog.LoadTable(id));
  auto base = iceberg::ReadTableMetadataFile(io, location);
  if (!base.ok()) return base.status();
  const iceberg::PartitionSpec spec = *base->DefaultSpec();
  FLOE_ASSIGN_OR_RETURN(auto writer, DataFileWriter::Open(io, *base, spec));
  for (const std::string& input : inputs)
    FLOE_RETURN_IF_ERROR(ReadInput(input, *base->CurrentSchema(), writer.get()));
  FLOE_ASSIGN_OR_RETURN(std::vector<iceberg::DataFile> files, writer->Finish());
  return AppendDataFiles(catalog, id, *base, spec, std::move(files), options);
}

Result<AppendResult> AppendDataFiles(catalog::Catalog& catalog, const catalog::TableIdentifier& id,
                                     const iceberg::TableMetadata& written_for,
                                     const iceberg::PartitionSpec& spec,
                                     std::vector<iceberg::DataFile> files,
                                     const AppendOptions& options) {
  FileIO& io = catalog.io();
  const int32_t schema_id = written_for.current_schema_id;
  const std::string& table_dir = written_for.location;
  const std::string manifest_path =
      fmt::format("{}/metadata/{}-m0.avro", table_dir, iceberg::NewUuid());
  int64_t added_bytes = 0;
  std::set<std::string> partitions;
  for (const iceberg::DataFile& f : files) {
    added_bytes += f.file_size_in_bytes;
    partitions.insert(f.file_path.substr(0, f.file_path.rfind('/')));
  }
  const size_t file_count = files.size();
  FLOE_ASSIGN_OR_RETURN(iceberg::ManifestFile manifest,
                        iceberg::WriteManifest(io, manifest_path, written_for, spec,
                                               iceberg::AddedEntries(std::move(files))));

  AppendResult result;
  result.data_files = static_cast<int64_t>(file_count);
  result.records = manifest.added_rows_count.value_or(0);
  // Manifest lists and merged manifests of the current attempt: when it loses
  // the race they were never referenced, and the next attempt removes them.
  std::vector<std::string> attempt_files;
  auto remove_attempt_files = [&] {
    for (const std::string& path : attempt_files) (void)io.Delete(path);
    attempt_files.clear();
  };
  auto change = [&](iceberg::TableMetadata& m) -> Status {
    remove_attempt_files();
    if (m.default_spec_id != spec.spec_id || m.current_schema_id != schema_id) {
      return Status::Conflict("the table's schema or partition spec changed while appending");
    }
    iceberg::Snapshot s = NewSnapshot(m);
    // The new manifest first, then every manifest of the parent; merge
    // append then packs many small manifests into fewer.
    std::vector<iceberg::ManifestFile> manifests;
    iceberg::ManifestFile added = manifest;
    iceberg::AssignManifestToSnapshot(s, &added);
    manifests.push_back(added);
    std::map<std::string, std::string> parent_summary;
    if (const iceberg::Snapshot* parent = m.CurrentSnapshot()) {
      FLOE_ASSIGN_OR_RETURN(auto existing, iceberg::ReadManifestList(io, parent->manifest_list));
      manifests.insert(manifests.end(), existing.begin(), existing.end());
      parent_summary = parent->summary;
    }
    iceberg::ManifestMergeOptions merge =
        iceberg::ManifestMergeOptions::FromProperties(m.properties);
    if (options.merge_manifests) merge.enabled = *options.merge_manifests;
    int attempt_manifest = 0;
    auto new_manifest_path = [&] {
      return fmt::format("{}/metadata/{}-m{}.avro", table_dir, iceberg::NewUuid(),
                         ++attempt_manifest);
    };
    const size_t before = manifests.size();
    FLOE_ASSIGN_OR_RETURN(manifests, iceberg::MergeManifests(io, m, s, std::move(manifests), merge,
                                                             new_manifest_path, &attempt_files));
    result.manifests_merged = static_cast<int64_t>(before - manifests.size());
    s.manifest_list =
        fmt::format("{}/metadata/snap-{}-1-{}.avro", table_dir, s.snapshot_id, iceberg::NewUuid());
    attempt_files.push_back(s.manifest_list);
    iceberg::AssignRowLineage(&s, &manifests, &m);
    FLOE_RETURN_IF_ERROR(
        iceberg::WriteManifestList(io, s.manifest_list, s, manifests, m.format_version));
    s.summary = {
        {"operation", "append"},
        {"added-data-files", std::to_string(file_count)},
        {"added-records", std::to_string(result.records)},
        {"added-files-size", std::to_string(added_bytes)},
        {"changed-partition-count",
         std::to_string(spec.unpartitioned() ? (file_count == 0 ? 0 : 1) : partitions.size())},
        {"total-data-files",
         SummaryAdd(parent_summary, "total-data-files", static_cast<int64_t>(file_count))},
        {"total-records", SummaryAdd(parent_summary, "total-records", result.records)},
        {"total-files-size", SummaryAdd(parent_summary, "total-files-size", added_bytes)},
        {"total-delete-files", SummaryAdd(parent_summary, "total-delete-files", 0)},
        {"total-position-deletes", SummaryAdd(parent_summary, "total-position-deletes", 0)},
        {"total-equality-deletes", SummaryAdd(parent_summary, "total-equality-deletes", 0)}};
    s.summary.insert(options.summary.begin(), options.summary.end());  // the standard ones win
    result.snapshot_id = s.snapshot_id;
    m.snapshots.push_back(s);
    m.last_sequence_number = s.sequence_number;
    FLOE_RETURN_IF_ERROR(iceberg::SetCurrentSnapshot(s.snapshot_id, s.timestamp_ms, &m));
    return options.also ? options.also(m) : Status::OK();
  };
  CommitOptions commit_options;
  commit_options.check = options.check;
  auto committed = CommitTableChange(catalog, id, change, commit_options);
  if (!committed.ok()) {
    // The last attempt's files and the new manifest are unreferenced when
    // the commit certainly failed (the data files are the caller's). A
    // commit whose outcome is unknown may reference them all: they stay.
    if (catalog::CommitCertainlyFailed(committed.status())) {
      remove_attempt_files();
      (void)io.Delete(manifest_path);
    }
    return committed.status();
  }
  result.commit = *std::move(committed);
  return result;
}

}  // namespace floe::table
