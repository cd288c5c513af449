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
  next.last_updated_ms = std::max(NowMillis(), base.last_updated_ms + 1);
  next.metadata_log.push_back({base.last_updated_ms, out.base_location});
  // Keep the log bounded as Iceberg does (write.metadata.previous-versions-max, default 100).
  size_t keep = 100;
  if (auto it = next.properties.find("write.metadata.previous-versions-max");
      it != next.properties.end()) {
    keep = static_cast<size_t>(std::max(1L, std::strtol(it->second.c_str(), nullptr, 10)));
  }
  if (next.metadata_log.size() > keep) {
    next.metadata_log.erase(next.metadata_log.begin(),
                            next.metadata_log.end() - static_cast<long>(keep));
  }
  FLOE_RETURN_IF_ERROR(next.Validate());
  const int version = std::max(iceberg::MetadataFileVersion(out.base_location), 0) + 1;
  out.metadata_location = iceberg::MetadataFilePath(LocalPath(next.location), version);
  FLOE_RETURN_IF_ERROR(
      WriteLocalFileAtomically(out.metadata_location, iceberg::TableMetadataToJson(next)));
  out.metadata = std::move(next);
  out.written = true;
  return out;
}

Result<CommitResult> CommitTableChange(Catalog& catalog, const TableIdentifier& id,
                                       const std::function<Status(iceberg::TableMetadata&)>& change,
                                       int max_attempts) {
  std::minstd_rand jitter(std::random_device{}());
  Status last;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    FLOE_ASSIGN_OR_RETURN(PreparedCommit prepared, PrepareTableChange(catalog, id, change));
    if (!prepared.written) {
      return CommitResult{prepared.metadata_location, std::move(prepared.metadata), attempt};
    }
    last = catalog.CommitTable(id, prepared.base_location, prepared.metadata_location);
    if (last.ok()) {
      return CommitResult{prepared.metadata_location, std::move(prepared.metadata), attempt};
    }
    ::unlink(prepared.metadata_location.c_str());  // never referenced: safe to remove
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
