// Dead letters: records a pipeline could not turn into rows (not JSON, a
// wrong type, too large), kept whole in an Iceberg table of their own
// instead of stopping the pipeline or being dropped. Their offsets are
// committed with them, so each is kept exactly once.
#pragma once

#include <string_view>

#include "floe/columnar/column.h"
#include "floe/source/record.h"

namespace floe::stream {

// pipeline, stage, error, topic, partition, offset, kafka_timestamp, key,
// value (the raw bytes), headers (list of {name, value}), failed_at.
Schema DeadLetterSchema();

// Appends `record` as a dead letter of `pipeline`, failed at `stage`
// ("decode", ...) with `error`, to `batch` (rows of DeadLetterSchema()).
void AppendDeadLetter(const source::Record& record, std::string_view pipeline,
                      std::string_view stage, std::string_view error, int64_t now_micros,
                      RecordBatch* batch);

}  // namespace floe::stream
