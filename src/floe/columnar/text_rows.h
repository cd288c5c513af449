// Rows as text: floe's lossless JSON-lines form and CSV, both ways.
//
// JSON (one object per row, keys are the top-level field names):
//   boolean, int, long      JSON true/false and integers
//   float, double           JSON numbers (always with a '.' or exponent, so
//                           -0.0 keeps its sign); NaN, Infinity and -Infinity
//                           as the strings "NaN", "Infinity", "-Infinity"
//   decimal(P,S)            string with exactly S fraction digits, "-12.50"
//   date                    "YYYY-MM-DD"
//   time                    "HH:MM:SS.ffffff"
//   timestamp[_ns]          "YYYY-MM-DDTHH:MM:SS.ffffff[fff]", all sub-second
//   timestamptz[_ns]        digits, and a trailing "Z" when UTC-adjusted
//   string                  JSON string
//   binary, fixed[N]        base64 string
//   uuid                    "8-4-4-4-12" lowercase hex
//   struct                  object; list: array; map: array of {"key", "value"}
//   null                    null
// CSV uses the same text for scalars, without quotes unless needed, an empty
// field for null, and the JSON text for nested values.
#pragma once

#include <string>
#include <string_view>

#include "floe/columnar/column.h"
#include "floe/util/status.h"

namespace floe {

// Appends row `row` of `batch` as a JSON object (no trailing newline).
void AppendJsonRow(const RecordBatch& batch, int64_t row, std::string* out);
// Appends rows [begin, end) of `batch` as JSON lines (each with a newline).
void AppendJsonLines(const RecordBatch& batch, int64_t begin, int64_t end, std::string* out);
// A float or double as floe's JSON writes it (see above).
void AppendJsonNumber(float v, std::string* out);
void AppendJsonNumber(double v, std::string* out);

// The text form above of scalar slot `i` (decimal, date, time, timestamps,
// uuid, binary / fixed as base64, string as itself), unquoted.
std::string ScalarText(const Column& column, int64_t i);

// Appends slot `i` of `column` as a JSON value.
void AppendJsonValue(const Column& column, int64_t i, std::string* out);

// Appends one row parsed from a JSON object to `batch`. Missing keys are null;
// unknown keys, nulls in required fields and values of the wrong type are
// errors naming the field. After an error the batch is inconsistent (some
// columns one slot longer) and must be discarded.
Status AppendJsonRowTo(std::string_view json, RecordBatch* batch);

// CSV (RFC 4180): a header line of field names, then one line per row.
void AppendCsvHeader(const Schema& schema, std::string* out);
void AppendCsvRow(const RecordBatch& batch, int64_t row, std::string* out);

// Splits one CSV record (no trailing newline) into fields; quotes are
// removed and doubled quotes unescaped. `quoted[i]` says whether field i was
// quoted (a quoted empty field is an empty string, an unquoted one is null).
Status SplitCsvRecord(std::string_view line, std::vector<std::string>* fields,
                      std::vector<bool>* quoted);
// Appends one value given in the text form above, unquoted ("12.50",
// "2026-11-25", "true", "NaN", or JSON text for nested values).
Status AppendValueFromText(std::string_view text, Column* column);

// Appends one CSV record to `batch`, fields in schema order (same error
// contract as AppendJsonRowTo).
Status AppendCsvRowTo(const std::vector<std::string>& fields, const std::vector<bool>& quoted,
                      RecordBatch* batch);

}  // namespace floe
