// Optimistic commits of metadata changes: read the table's current metadata,
// apply a change, write the next metadata file, and compare-and-swap the
// catalog's pointer to it. When another writer committed first, the new file
// is deleted and the change is applied again on the newer metadata.
#pragma once

#include <functional>
#include <mutex>
#include <string>

#include "floe/catalog/catalog.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::table {

struct CommitResult {
  std::string metadata_location;
  iceberg::TableMetadata metadata;
  int attempts = 1;
};

struct CommitOptions {
  // Gives up with the last kConflict after this many attempts.
  int max_attempts = 12;
  // Vets the fresh metadata first (a failed requirement ends the commit
  // before anything is copied).
  std::function<Status(const iceberg::TableMetadata&)> check;
  // Held through each attempt (load, change, write, swap) and released for
  // the back-off between attempts, so that commits to one table take turns
  // in a process without one of them sleeping while holding the turn.
  std::mutex* turn = nullptr;
};

// `change` edits the metadata (it may run more than once, each time on fresh
// metadata). A change that leaves the metadata as it was writes nothing and
// returns the current location. After an error the table is unchanged,
// except for kCommitStateUnknown: the swap may have taken effect, and the
// metadata file it would point at is kept.
Result<CommitResult> CommitTableChange(catalog::Catalog& catalog,
                                       const catalog::TableIdentifier& id,
                                       const std::function<Status(iceberg::TableMetadata&)>& change,
                                       const CommitOptions& options = {});

// Test-only: called by CommitTableChange right before each catalog swap
// and right after one that succeeded, so the crash tests can kill the
// process at exactly those points (FLOE_KILL_AT_SWAP, cli/catalog_options.h).
// REQUIRES: set before any commit runs.
enum class SwapPoint { kBefore, kAfter };
using SwapHook = std::function<void(SwapPoint)>;
void SetSwapHookForTesting(SwapHook hook);

// Sleeps before retry `attempt` (1-based) of a commit that lost a race:
// exponential back-off capped at 1 s with full jitter, so that racing
// writers spread out. REQUIRES: no lock that other committers need is held.
void BackOffBeforeRetry(int attempt);

// One attempt's first half: `change` applied on the table's current
// metadata and, unless it changed nothing (metadata_location is then the
// current one and `written` false), the next metadata file written. The
// caller swaps the catalog's pointer from base_location to it, or deletes
// the file when it does not.
struct PreparedCommit {
  catalog::TableIdentifier id;
  std::string base_location;
  std::string metadata_location;
  iceberg::TableMetadata metadata;
  bool written = false;
};
Result<PreparedCommit> PrepareTableChange(
    catalog::Catalog& catalog, const catalog::TableIdentifier& id,
    const std::function<Status(iceberg::TableMetadata&)>& change);

// Milliseconds since the epoch, for last-updated-ms and log entries.
int64_t NowMillis();

// The next snapshot of the main branch of `m`, manifests and summary still
// to fill: a fresh random id, the current snapshot as parent, the next
// sequence number, now, and the current schema.
iceberg::Snapshot NewSnapshot(const iceberg::TableMetadata& m);

}  // namespace floe::table
