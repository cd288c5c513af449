// What a pipeline's config opens before its first record, shared by the
// running pipeline (stream/pipeline.h) and the replay of its dead letters
// (stream/replay.h): the record decoder, the tables (created if missing),
// the routes by `when`, and the transform stage typed against the tables
// as they are.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "floe/catalog/catalog.h"
#include "floe/source/record_decoder.h"
#include "floe/stream/pipeline_config.h"
#include "floe/stream/table_target.h"
#include "floe/stream/transform.h"

namespace floe::stream {

// Rows a table's batch collects before they go to its files' encoders.
inline constexpr int64_t kBatchRows = 64 * 1024;

struct PipelineStages {
  TargetSettings settings;  // the tables'
  std::unique_ptr<source::RecordDecoder> decoder;
  std::vector<std::unique_ptr<TableTarget>> tables;  // config.tables, in order
  std::map<std::string, size_t> routes;              // `when` -> index into tables
  std::optional<Transform> transform;                // when Transform::Needed(config)
};

// `warehouse`: where tables floe creates go in a pointer catalog.
// REQUIRES: catalog outlives the stages.
Result<PipelineStages> OpenStages(const PipelineConfig& config, catalog::Catalog& catalog,
                                  const std::string& warehouse);

}  // namespace floe::stream
