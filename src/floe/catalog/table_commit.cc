#include "floe/catalog/table_commit.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "floe/iceberg/table_builder.h"
#include "floe/io/file.h"

namespace floe::catalog {

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

// What a commit on `base` records in `next`: the time and, in the metadata
// log, the file it replaces (kept as long as write.metadata.previous-versions-max,
// default 100, as Iceberg does).
void RecordCommit(const iceberg::TableMetadata& base, const std::string& base_location,
                  iceberg::TableMetadata* next) {
  next->last_updated_ms = std::max(NowMillis(), base.last_updated_ms + 1);
  next->metadata_log.push_back({base.last_updated_ms, base_location});
  size_t keep = 100;
  if (auto it = next->properties.find("write.metadata.previous-versions-max");
      it != next->properties.end()) {
    keep = static_cast<size_t>(std::max(1L, std::strtol(it->second.c_str(), nullptr, 10)));
  }
  if (next->metadata_log.size() > keep) {
    next->metadata_log.erase(next->metadata_log.begin(),
                             next->metadata_log.end() - static_cast<long>(keep));
  }
}

}  // namespace

Result<PreparedCommit> PrepareTableChange(
    Catalog& catalog, const TableIdentifier& id,
    const std::function<Status(iceberg::TableMetadata&)>& change) {
  PreparedCommit out;
  out.id = id;
  FLOE_ASSIGN_OR_RETURN(out.base_location, catalog.LoadTable(id));
  FLOE_ASSIGN_OR_RETURN(const iceberg::TableMetadata base,
                        iceberg::ReadTableMetadataFile(out.base_location));
  iceberg::TableMetadata next = base;
  FLOE_RETURN_IF_ERROR(change(next));
  if (next == base) {  // a no-op writes nothing
    out.metadata_location = out.base_location;
    out.metadata = std::move(next);
    return out;
  }
  RecordCommit(base, out.base_location, &next);
  FLOE_RETURN_IF_ERROR(next.Validate());
  out.metadata_location = iceberg::MetadataFilePath(
      LocalPath(next.location), iceberg::NextMetadataFileVersion(out.base_location));
  FLOE_RETURN_IF_ERROR(iceberg::WriteTableMetadataFile(out.metadata_location, next));
  out.metadata = std::move(next);
  out.written = true;
  return out;
}

Result<CommitResult> CommitTableChange(
    Catalog& catalog, const TableIdentifier& id,
    const std::function<Status(iceberg::TableMetadata&)>& change, int max_attempts,
    const std::function<Status(const iceberg::TableMetadata&)>& check) {
  std::minstd_rand jitter(std::random_device{}());
  Status last;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    FLOE_ASSIGN_OR_RETURN(std::string base_location, catalog.LoadTable(id));
    FLOE_ASSIGN_OR_RETURN(auto shared, iceberg::ReadTableMetadataFileShared(base_location));
    const iceberg::TableMetadata& base = *shared;
    if (check) FLOE_RETURN_IF_ERROR(check(base));
    iceberg::TableMetadata next = base;
    FLOE_RETURN_IF_ERROR(change(next));
    if (next == base) return CommitResult{base_location, std::move(next), attempt};  // no-op
    RecordCommit(base, base_location, &next);
    FLOE_RETURN_IF_ERROR(next.Validate());
    auto committed = catalog.CommitMetadata(id, base_location, base, next);
    if (committed.ok()) return CommitResult{*std::move(committed), std::move(next), attempt};
    last = committed.status();
    if (last.code() != StatusCode::kConflict) return last;
    // Someone else committed: back off (exponentially, with full jitter so
    // that racing writers spread out), then redo the change on theirs.
    const int64_t cap = std::min<int64_t>(int64_t{10} << std::min(attempt, 7), 1000);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(static_cast<int64_t>(jitter() % static_cast<uint32_t>(cap)) + 1));
  }
  return last.WithContext(fmt::format("gave up after {} attempts", max_attempts));
}

}  // namespace floe::catalog
