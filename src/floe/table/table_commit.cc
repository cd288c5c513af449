#include "floe/table/table_commit.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "floe/iceberg/table_builder.h"
#include "floe/io/file.h"

namespace floe::table {

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

SwapHook& SwapHookSlot() {
  static SwapHook hook;
  return hook;
}

}  // namespace

void SetSwapHookForTesting(SwapHook hook) {
  SwapHookSlot() = std::move(hook);
}

Result<PreparedCommit> PrepareTableChange(
    catalog::Catalog& catalog, const catalog::TableIdentifier& id,
    const std::function<Status(iceberg::TableMetadata&)>& change) {
  PreparedCommit out;
  out.id = id;
  FLOE_ASSIGN_OR_RETURN(out.base_location, catalog.LoadTable(id));
  FLOE_ASSIGN_OR_RETURN(const iceberg::TableMetadata base,
                        iceberg::ReadTableMetadataFile(catalog.io(), out.base_location));
  iceberg::TableMetadata next = base;
  FLOE_RETURN_IF_ERROR(change(next));
  if (next == base) {  // a no-op writes nothing
    out.metadata_location = out.base_location;
    out.metadata = std::move(next);
    return out;
  }
  RecordCommit(base, out.base_location, &next);
  FLOE_RETURN_IF_ERROR(next.Validate());
  out.metadata_location =
      iceberg::MetadataFilePath(next.location, iceberg::NextMetadataFileVersion(out.base_location));
  FLOE_RETURN_IF_ERROR(iceberg::WriteTableMetadataFile(catalog.io(), out.metadata_location, next));
  out.metadata = std::move(next);
  out.written = true;
  return out;
}

iceberg::Snapshot NewSnapshot(const iceberg::TableMetadata& m) {
  thread_local std::mt19937_64 random(std::random_device{}());
  iceberg::Snapshot s;
  do {
    s.snapshot_id = static_cast<int64_t>(random() >> 1);
  } while (s.snapshot_id == 0 || m.SnapshotById(s.snapshot_id) != nullptr);
  s.parent_snapshot_id = m.current_snapshot_id;
  s.sequence_number = m.last_sequence_number + 1;
  s.timestamp_ms = NowMillis();
  s.schema_id = m.current_schema_id;
  return s;
}

void BackOffBeforeRetry(int attempt) {
  thread_local std::minstd_rand jitter(std::random_device{}());
  const int64_t cap = std::min<int64_t>(int64_t{10} << std::clamp(attempt, 1, 7), 1000);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(static_cast<int64_t>(jitter() % static_cast<uint32_t>(cap)) + 1));
}

Result<CommitResult> CommitTableChange(catalog::Catalog& catalog,
                                       const catalog::TableIdentifier& id,
                                       const std::function<Status(iceberg::TableMetadata&)>& change,
                                       const CommitOptions& options) {
  // One attempt; `lost_race` tells a swap that lost to another writer (worth
  // another attempt) from a failed check or change (final).
  bool lost_race = false;
  auto attempt_once = [&](int attempt) -> Result<CommitResult> {
    std::unique_lock<std::mutex> turn;
    if (options.turn != nullptr) turn = std::unique_lock(*options.turn);
    FLOE_ASSIGN_OR_RETURN(std::string base_location, catalog.LoadTable(id));
    FLOE_ASSIGN_OR_RETURN(auto shared,
                          iceberg::ReadTableMetadataFileShared(catalog.io(), base_location));
    const iceberg::TableMetadata& base = *shared;
    if (options.check) FLOE_RETURN_IF_ERROR(options.check(base));
    iceberg::TableMetadata next = base;
    FLOE_RETURN_IF_ERROR(change(next));
    if (next == base) return CommitResult{base_location, std::move(next), attempt};  // no-op
    RecordCommit(base, base_location, &next);
    FLOE_RETURN_IF_ERROR(next.Validate());
    if (const SwapHook& hook = SwapHookSlot()) hook(SwapPoint::kBefore);
    auto location = catalog.CommitMetadata(id, base_location, base, next);
    if (location.ok()) {
      if (const SwapHook& hook = SwapHookSlot()) hook(SwapPoint::kAfter);
    }
    if (!location.ok()) {
      lost_race = location.status().code() == StatusCode::kConflict;
      return std::move(location).status();
    }
    return CommitResult{*std::move(location), std::move(next), attempt};
  };
  Status last;
  for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
    if (attempt > 1) BackOffBeforeRetry(attempt - 1);  // the turn is not held here
    lost_race = false;
    auto committed = attempt_once(attempt);
    if (committed.ok() || !lost_race) return committed;
    last = committed.status();
  }
  return last.WithContext(fmt::format("gave up after {} attempts", options.max_attempts));
}

}  // namespace floe::table
