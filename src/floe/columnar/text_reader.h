// Reads JSON-lines or CSV text (see text_rows.h for the forms) into record
// batches of a schema, for `floe parquet write` and `floe table append`.
// CSV columns are matched to fields by the header's names (fields the header
// lacks are null) and quoted fields may span lines. Batches are cut by rows
// and by text size, so one batch's strings stay well inside what 32-bit
// offsets address.
#pragma once

#include <functional>
#include <istream>
#include <string>

#include "floe/columnar/column.h"
#include "floe/util/status.h"

namespace floe {

enum class TextFormat { kJsonLines, kCsv };

// The format of a file by its name: .jsonl / .json, .csv; error otherwise.
Result<TextFormat> TextFormatOf(const std::string& path);

// Calls `sink` with each full batch and the last partial one. Errors name
// `name` and the line.
Status ReadTextRows(std::istream& in, const std::string& name, TextFormat format,
                    const Schema& schema, const std::function<Status(const RecordBatch&)>& sink,
                    int64_t batch_rows = 64 * 1024);

}  // namespace floe
