#include "floe/stream/table_target.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/table_update.h"
#include "floe/source/json_schema_evolution.h"
#include "floe/table/table_append.h"
#include "floe/table/table_commit.h"

namespace floe::stream {
namespace {

// How long a target keeps trying to reach its catalog to learn a commit's
// fate or reload after one; past it the pipeline stops (restarting it is
// always safe).
constexpr auto kCatalogPatience = std::chrono::minutes(5);

template <typename F>
auto RetryCatalog(const char* what, const catalog::TableIdentifier& id, F&& f) -> decltype(f()) {
  const auto deadline = std::chrono::steady_clock::now() + kCatalogPatience;
  for (int attempt = 1;; ++attempt) {
    auto r = f();
    if (r.ok() || std::chrono::steady_clock::now() > deadline) return r;
    spdlog::warn("{} {} (attempt {}): {}", what, id.ToString(), attempt, r.status().ToString());
    table::BackOffBeforeRetry(attempt);
  }
}

void CountFiles(const std::vector<iceberg::DataFile>& files, TableTarget::CommitReport* report) {
  for (const iceberg::DataFile& f : files) {
    report->rows += f.record_count;
    report->bytes += f.file_size_in_bytes;
  }
  report->files = static_cast<int64_t>(files.size());
}

Result<iceberg::TableMetadata> LoadMetadata(catalog::Catalog& catalog,
                                            const catalog::TableIdentifier& id) {
  FLOE_ASSIGN_OR_RETURN(std::string location, catalog.LoadTable(id));
  return iceberg::ReadTableMetadataFile(catalog.io(), location);
}

// What `record` adds to m's current schema; partition sources keep their types.
Result<std::optional<source::SchemaEvolution>> EvolveFor(std::string_view record,
                                                         const iceberg::TableMetadata& m) {
  source::EvolutionLimits limits;
  for (const iceberg::PartitionSpec& spec : m.specs) {
    for (const iceberg::PartitionField& f : spec.fields) limits.fixed_types.insert(f.source_id);
  }
  return source::EvolveSchemaFor(record, *m.CurrentSchema(), m.last_column_id, limits);
}

}  // namespace

Result<std::unique_ptr<TableTarget>> TableTarget::Open(catalog::Catalog& catalog,
                                                       const TableConfig& create,
                                                       TargetSettings settings) {
  auto t = std::make_unique<TableTarget>(Private{}, catalog, create.id, std::move(settings));
  t->evolves_ = create.evolve_schema;
  auto loaded = LoadMetadata(catalog, create.id);
  if (!loaded.ok() && loaded.status().code() == StatusCode::kNotFound &&
      (create.schema || create.infer_schema)) {
    // An inferred table starts with no columns: its first record adds them.
    const Schema schema = create.schema.value_or(Schema());
    FLOE_ASSIGN_OR_RETURN(iceberg::PartitionSpec spec,
                          iceberg::ParsePartitionSpec(create.partition_by, schema));
    catalog::Properties properties = create.properties;
    FLOE_ASSIGN_OR_RETURN(const int format_version, iceberg::TakeFormatVersion(&properties));
    FLOE_ASSIGN_OR_RETURN(
        iceberg::TableMetadata metadata,
        iceberg::NewTableMetadata(schema, spec, iceberg::SortOrder{},
                                  catalog::DefaultTableLocation(t->settings_.warehouse, create.id),
                                  std::move(properties), format_version));
    Status ns = catalog.CreateNamespace(create.id.ns, {});
    if (!ns.ok() && ns.code() != StatusCode::kAlreadyExists) return ns;
    auto created = catalog.CreateTableFrom(create.id, metadata);
    if (created.ok()) {
      spdlog::info("created table {} for pipeline {}", create.id.ToString(), t->settings_.pipeline);
    } else if (created.status().code() != StatusCode::kAlreadyExists) {  // another worker's
      return created.status();
    }
    loaded = LoadMetadata(catalog, create.id);
  }
  if (!loaded.ok())
    return loaded.status().WithContext(fmt::format("table {}", create.id.ToString()));
  t->metadata_ = *std::move(loaded);
  t->batch_ = RecordBatch::Empty(*t->metadata_.CurrentSchema());
  return t;
}

Status TableTarget::Reload() {
  FLOE_ASSIGN_OR_RETURN(iceberg::TableMetadata m, RetryCatalog("loading table", id_, [&] {
                          return LoadMetadata(catalog_, id_);
                        }));
  metadata_ = std::move(m);
  if (writer_ == nullptr && batch_.num_rows == 0) {
    batch_ = RecordBatch::Empty(*metadata_.CurrentSchema());
  }
  return Status::OK();
}

Result<std::vector<std::optional<int64_t>>> TableTarget::Assign(
    const std::vector<TopicPartition>& partitions) {
  FLOE_ASSIGN_OR_RETURN(iceberg::TableMetadata fresh, RetryCatalog("loading table", id_, [&] {
                          return LoadMetadata(catalog_, id_);
                        }));
  FLOE_ASSIGN_OR_RETURN(OffsetMap recorded, RecordedOffsets(fresh, settings_.pipeline));
  if (writer_ == nullptr && batch_.num_rows == 0) {
    metadata_ = std::move(fresh);
    batch_ = RecordBatch::Empty(*metadata_.CurrentSchema());
  }
  std::vector<std::optional<int64_t>> out;
  for (const TopicPartition& tp : partitions) {
    PartitionState& s = state_[tp];
    auto it = recorded.find(tp);
    s.recorded = it == recorded.end() ? std::nullopt : std::optional(it->second);
    s.next = s.recorded;
    s.resume = s.recorded;
    out.push_back(s.recorded);
  }
  return out;
}

void TableTarget::Drop(const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& tp : partitions) state_.erase(tp);
}

void TableTarget::Advance(const TopicPartition& tp, int64_t first, int64_t last) {
  PartitionState& s = state_[tp];
  if (!s.resume) s.resume = first;
  if (!s.next || last + 1 > *s.next) s.next = last + 1;
}

std::optional<int64_t> TableTarget::NeedsFrom(const TopicPartition& tp) const {
  auto it = state_.find(tp);
  if (it == state_.end()) return std::nullopt;
  return it->second.next ? it->second.next : it->second.resume;
}

std::optional<int64_t> TableTarget::Recorded(const TopicPartition& tp) const {
  auto it = state_.find(tp);
  return it == state_.end() ? std::nullopt : it->second.recorded;
}

bool TableTarget::HasChanges() const {
  if (pending_rows() > 0) return true;
  for (const auto& [tp, s] : state_) {
    if (s.next && s.next != s.recorded) return true;
  }
  return false;
}

Status TableTarget::OpenWriter() {
  spec_ = *metadata_.DefaultSpec();
  FLOE_ASSIGN_OR_RETURN(
      table::DataWriteOptions options,
      table::DataWriteOptions::FromProperties(metadata_.properties, *metadata_.CurrentSchema()));
  if (settings_.target_file_bytes) options.target_file_bytes = *settings_.target_file_bytes;
  options.max_buffered_bytes = std::min(options.max_buffered_bytes, settings_.max_buffered_bytes);
  writer_ = std::make_unique<table::DataFileWriter>(catalog_.io(), metadata_, spec_, options);
  return Status::OK();
}

Status TableTarget::Flush(int64_t min_rows) {
  if (batch_.num_rows == 0) return Status::OK();
  if (batch_.num_rows < min_rows && batch_bytes_ < settings_.max_buffered_bytes / 4) {
    return Status::OK();
  }
  batch_bytes_ = 0;
  if (writer_ == nullptr) FLOE_RETURN_IF_ERROR(OpenWriter());
  pending_rows_ += batch_.num_rows;
  Schema schema = batch_.schema;
  FLOE_RETURN_IF_ERROR(writer_->Add(std::move(batch_)));
  batch_ = RecordBatch::Empty(std::move(schema));
  return Status::OK();
}

Status TableTarget::ResetToTable() {
  writer_.reset();
  pending_rows_ = 0;
  batch_bytes_ = 0;
  batch_ = RecordBatch::Empty(std::move(batch_.schema));
  FLOE_RETURN_IF_ERROR(Reload());
  FLOE_ASSIGN_OR_RETURN(OffsetMap recorded, RecordedOffsets(metadata_, settings_.pipeline));
  for (auto& [tp, s] : state_) {
    auto it = recorded.find(tp);
    s.recorded = it == recorded.end() ? std::nullopt : std::optional(it->second);
    s.next = s.recorded;
    if (s.recorded) s.resume = s.recorded;  // else: from the first record it had taken
  }
  return Status::OK();
}

Result<TableTarget::CommitReport> TableTarget::Commit() {
  CommitReport report;
  if (!HasChanges()) return report;
  // A failure to write the files loses only buffered rows, which are read again.
  Result<std::vector<iceberg::DataFile>> closed = CloseFiles();
  if (!closed.ok()) {
    FLOE_RETURN_IF_ERROR(ResetToTable());
    report.outcome = Outcome::kRewound;
    report.reason = closed.status().ToString();
    return report;
  }
  std::vector<iceberg::DataFile> files = *std::move(closed);
  struct Change {
    std::optional<int64_t> expected;
    int64_t next;
  };
  std::map<TopicPartition, Change> changes;
  OffsetMap committed_offsets;
  for (const auto& [tp, s] : state_) {
    if (s.next && s.next != s.recorded) {
      changes[tp] = {s.recorded, *s.next};
      committed_offsets[tp] = *s.next;
    }
  }
  CountFiles(files, &report);
  const std::string commit_id = iceberg::NewUuid();
  bool found_committed = false;
  table::AppendOptions options;
  options.summary = {{std::string(kSummaryPipeline), settings_.pipeline},
                     {std::string(kSummaryCommitId), commit_id},
                     {std::string(kSummaryOffsets), OffsetsToJson(committed_offsets)}};
  // The fence: every partition of the change must still be where this
  // target found it. The swap that follows fails if the table moved after
  // this check, so check and swap are one step.
  options.check = [&](const iceberg::TableMetadata& m) -> Status {
    FLOE_ASSIGN_OR_RETURN(OffsetMap recorded, RecordedOffsets(m, settings_.pipeline));
    for (const auto& [tp, change] : changes) {
      auto it = recorded.find(tp);
      const std::optional<int64_t> have =
          it == recorded.end() ? std::nullopt : std::optional(it->second);
      if (have == change.expected) continue;
      if (HasCommit(m, commit_id)) {
        found_committed = true;
        return Status::Conflict("committed by an earlier attempt");
      }
      return Status::Conflict("fenced: {} records offset {} for {}, this worker started from {}",
                              id_.ToString(), have ? std::to_string(*have) : "none", tp.ToString(),
                              change.expected ? std::to_string(*change.expected) : "none");
    }
    return Status::OK();
  };
  options.also = [&](iceberg::TableMetadata& m) -> Status {
    FLOE_ASSIGN_OR_RETURN(OffsetMap recorded, RecordedOffsets(m, settings_.pipeline));
    for (const auto& [tp, next] : committed_offsets) recorded[tp] = next;
    m.properties[OffsetsPropertyKey(settings_.pipeline)] = OffsetsToJson(recorded);
    return Status::OK();
  };
  auto done = [&]() {
    for (const auto& [tp, change] : changes) {
      PartitionState& s = state_[tp];
      s.recorded = change.next;
      s.resume = change.next;
      if (!s.next || *s.next < change.next) s.next = change.next;
    }
    pending_rows_ = 0;
    report.outcome = Outcome::kCommitted;
  };
  // metadata_ is what the files were written for: it is replaced only
  // while no writer and no buffered rows exist.
  auto appended = table::AppendDataFiles(catalog_, id_, metadata_, spec_, files, options);
  if (appended.ok()) {
    metadata_ = std::move(appended->commit.metadata);
    report.snapshot_id = appended->snapshot_id;
    report.attempts = appended->commit.attempts;
    done();
    return report;
  }
  const Status failed = appended.status();
  FLOE_ASSIGN_OR_RETURN(found_committed, TookEffect(failed, found_committed, commit_id));
  if (found_committed) {
    done();
    return report;
  }
  // Not committed. Files of a commit that certainly failed are nobody's;
  // after an unknown outcome that proved not applied they stay for orphan
  // cleanup (issue 15), never deleted on a guess.
  if (catalog::CommitCertainlyFailed(failed)) {
    for (const iceberg::DataFile& f : files) (void)catalog_.io().Delete(f.file_path);
  }
  FLOE_RETURN_IF_ERROR(ResetToTable());
  report.outcome = Outcome::kRewound;
  report.reason = failed.ToString();
  report.rows = report.files = report.bytes = 0;
  return report;
}

Result<std::vector<iceberg::DataFile>> TableTarget::CloseFiles() {
  std::vector<iceberg::DataFile> files;
  Status written = Flush();
  if (written.ok() && writer_ != nullptr) {
    auto finished = writer_->Finish();
    if (finished.ok()) {
      files = *std::move(finished);
    } else {
      written = finished.status();
    }
  }
  writer_.reset();
  if (!written.ok()) {
    for (const iceberg::DataFile& f : files) (void)catalog_.io().Delete(f.file_path);
    return written;
  }
  return files;
}

Result<bool> TableTarget::TookEffect(const Status& failed, bool found_committed,
                                     const std::string& commit_id) {
  if (!found_committed && !catalog::CommitCertainlyFailed(failed)) {
    // The outcome is unknown: the table's own history tells.
    FLOE_RETURN_IF_ERROR(Reload());
    found_committed = HasCommit(metadata_, commit_id);
  } else if (found_committed) {
    FLOE_RETURN_IF_ERROR(Reload());
  }
  if (found_committed) {
    spdlog::info("{}: commit {} had taken effect (its answer was lost)", id_.ToString(), commit_id);
  }
  return found_committed;
}

Result<ReplayedRanges> TableTarget::Replayed() const {
  return RecordedReplays(metadata_, settings_.pipeline);
}

Result<TableTarget::CommitReport> TableTarget::CommitReplayed(const ReplayedRanges& taken) {
  CommitReport report;
  if (pending_rows() == 0) return report;
  FLOE_ASSIGN_OR_RETURN(std::vector<iceberg::DataFile> files, CloseFiles());
  CountFiles(files, &report);
  const std::string commit_id = iceberg::NewUuid();
  bool found_committed = false;
  table::AppendOptions options;
  options.summary = {{std::string(kSummaryPipeline), settings_.pipeline},
                     {std::string(kSummaryCommitId), commit_id},
                     {std::string(kSummaryReplayed), taken.ToJson()}};
  // The replay's fence: none of its dead letters may have been taken by
  // another replay since this one read the table's marks.
  options.check = [&](const iceberg::TableMetadata& m) -> Status {
    FLOE_ASSIGN_OR_RETURN(ReplayedRanges recorded, RecordedReplays(m, settings_.pipeline));
    if (!recorded.Overlaps(taken)) return Status::OK();
    if (HasCommit(m, commit_id)) {
      found_committed = true;
      return Status::Conflict("committed by an earlier attempt");
    }
    return Status::Conflict(
        "{}: another replay took some of these dead letters meanwhile; run the replay again",
        id_.ToString());
  };
  options.also = [&](iceberg::TableMetadata& m) -> Status {
    FLOE_ASSIGN_OR_RETURN(ReplayedRanges recorded, RecordedReplays(m, settings_.pipeline));
    recorded.Add(taken);
    m.properties[ReplayedPropertyKey(settings_.pipeline)] = recorded.ToJson();
    return Status::OK();
  };
  auto appended = table::AppendDataFiles(catalog_, id_, metadata_, spec_, files, options);
  if (appended.ok()) {
    metadata_ = std::move(appended->commit.metadata);
    report.snapshot_id = appended->snapshot_id;
    report.attempts = appended->commit.attempts;
  } else {
    FLOE_ASSIGN_OR_RETURN(found_committed,
                          TookEffect(appended.status(), found_committed, commit_id));
    if (!found_committed) {
      // As in Commit: files are deleted only when the commit certainly failed.
      if (catalog::CommitCertainlyFailed(appended.status())) {
        for (const iceberg::DataFile& f : files) (void)catalog_.io().Delete(f.file_path);
      }
      return appended.status();
    }
  }
  pending_rows_ = 0;
  report.outcome = Outcome::kCommitted;
  return report;
}

Result<std::optional<source::SchemaEvolution>> TableTarget::SchemaFor(
    std::string_view record) const {
  return EvolveFor(record, metadata_);
}

Result<std::vector<std::string>> TableTarget::EvolveSchema(std::string_view record) {
  if (pending_rows() != 0) return Status::Internal("schema change with rows held");
  std::vector<std::string> changes;
  Status refused;
  auto change = [&](iceberg::TableMetadata& m) -> Status {
    changes.clear();
    Result<std::optional<source::SchemaEvolution>> evolved = EvolveFor(record, m);
    if (!evolved.ok()) {  // not the catalog's fault: no retry
      refused = evolved.status();
      return Status::OK();
    }
    if (!*evolved) return Status::OK();  // made already
    FLOE_ASSIGN_OR_RETURN(const int32_t schema_id, iceberg::AddSchema((*evolved)->schema, &m));
    m.current_schema_id = schema_id;
    changes = std::move((*evolved)->changes);
    return Status::OK();
  };
  // Each attempt, a retry after an unknown outcome included, works the
  // change out again on the table as it is, so it never applies twice.
  FLOE_ASSIGN_OR_RETURN(table::CommitResult committed, RetryCatalog("evolving schema", id_, [&] {
                          return table::CommitTableChange(catalog_, id_, change);
                        }));
  metadata_ = std::move(committed.metadata);
  batch_ = RecordBatch::Empty(*metadata_.CurrentSchema());
  if (!refused.ok()) return refused;
  return changes;
}

}  // namespace floe::stream
