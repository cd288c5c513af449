#include "floe/stream/pipeline_stages.h"

#include <algorithm>

#include "floe/stream/record_format.h"

namespace floe::stream {

Result<PipelineStages> OpenStages(const PipelineConfig& config, catalog::Catalog& catalog,
                                  const std::string& warehouse) {
  PipelineStages stages;
  TargetSettings& settings = stages.settings;
  settings.pipeline = config.name;
  settings.warehouse = warehouse;
  settings.target_file_bytes = config.target_file_bytes;
  // The budget: half for rows on their way into files, shared by the
  // tables; a quarter for Kafka's fetch queue (Pipeline), the rest for
  // decoding and the catalog.
  settings.max_buffered_bytes = config.memory_budget_bytes / 2 /
                                static_cast<int64_t>(std::max<size_t>(config.tables.size(), 1));
  FLOE_ASSIGN_OR_RETURN(RecordFormat format, OpenRecordFormat(config));
  stages.decoder = std::move(format.decoder);
  for (TableConfig t : config.tables) {
    if (t.infer_schema && format.schema_file_table_schema) {
      // Avro: the columns are the schema file's, known before any record.
      t.schema = format.schema_file_table_schema;
      t.infer_schema = false;
    }
    FLOE_ASSIGN_OR_RETURN(auto target, TableTarget::Open(catalog, t, settings));
    if (!t.when.empty()) stages.routes[t.when] = stages.tables.size();
    stages.tables.push_back(std::move(target));
  }
  if (Transform::Needed(config)) {
    // Typed against the tables as they are (they may predate the config).
    std::vector<Schema> schemas;
    for (const auto& t : stages.tables) schemas.push_back(t->schema());
    std::vector<ConfigError> errors;
    stages.transform = Transform::Compile(config, schemas, "pipeline " + config.name, &errors);
    if (!stages.transform) {
      std::string all;
      for (const ConfigError& e : errors) all += (all.empty() ? "" : "; ") + e.ToString();
      return Status::InvalidArgument("{}", all);
    }
  }
  return stages;
}

}  // namespace floe::stream
