// A pipeline's `format:` made real: the decoder its records go through, and
// for Avro with a schema_file, the table schema that file implies (used by
// `schema: infer`).
#pragma once

#include <memory>
#include <optional>

#include "floe/schema/schema.h"
#include "floe/source/record_decoder.h"
#include "floe/stream/pipeline_config.h"
#include "floe/util/status.h"

namespace floe::stream {

struct RecordFormat {
  std::unique_ptr<source::RecordDecoder> decoder;
  std::optional<Schema> schema_file_table_schema;
};

// Reads and checks the Avro schema_file (kInvalidArgument naming it); a
// registry is not asked anything until the first record.
Result<RecordFormat> OpenRecordFormat(const PipelineConfig& config);

}  // namespace floe::stream
