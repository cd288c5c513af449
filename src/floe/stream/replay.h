// `floe pipeline replay`: the dead letters of a pipeline, read back from its
// dead-letter table and run through the pipeline as it is configured now
// (decode, transforms, route). A record that now makes a row goes to its
// table; one that fails again stays a dead letter, and nothing is written
// for it. Exactly once: each table records, in the same snapshot as the
// rows, which dead letters it took (ReplayedRanges, stream/offsets.h), and a
// replay skips those, so a second run, or one after a crash, adds nothing
// twice. The dead-letter table itself is left as it is.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "floe/catalog/catalog.h"
#include "floe/stream/pipeline_config.h"

namespace floe::stream {

struct ReplayOptions {
  // Only dead letters matching this filter on the dead-letter table's
  // columns (docs/filters.md), e.g. "stage = 'route'"; empty: all of them.
  std::string where;
  bool dry_run = false;  // work everything out, commit nothing
};

struct ReplayReport {
  int64_t dead_letters = 0;                // of the pipeline, matching `where`
  int64_t taken = 0;                       // now rows of a table (or, with dry_run, would be)
  int64_t already = 0;                     // taken by an earlier replay
  int64_t filtered = 0;                    // dropped by a transform's filter
  int64_t failing = 0;                     // fail again: they stay dead letters only
  std::map<std::string, int64_t> rows;     // taken, by table
  std::map<std::string, int64_t> reasons;  // failing, by stage and error
};

// Replays `config`'s dead letters. Tables the config names that do not
// exist yet are created (as the pipeline would). Each table commits once,
// in turn; an error stops the replay, and running it again takes what is
// left. Safe beside the running pipeline (its commits and the replay's do
// not touch each other's state) and beside another replay (the second to
// commit a dead letter is refused).
Result<ReplayReport> ReplayDeadLetters(const PipelineConfig& config, catalog::Catalog& catalog,
                                       const std::string& warehouse, const ReplayOptions& options);

}  // namespace floe::stream
