// Format v3 column defaults (NestedField::initial_default / write_default):
// the spec's JSON single values ("Appendix D") typed into floe columns.
#pragma once

#include <cstdint>
#include <string_view>

#include "floe/columnar/column.h"
#include "floe/util/status.h"

namespace floe::iceberg {

// Appends the JSON single value `json` to `out` as a value of out's type:
// booleans and numbers as JSON literals; strings for string, uuid, decimal
// ("14.20"), date, time and timestamps (ISO 8601); lowercase or uppercase
// hex for binary and fixed. Nested defaults are not supported.
Status AppendJsonSingleValue(std::string_view json, Column* out);

// `rows` copies of `field`'s initial default: what a data file written
// before the field existed holds for it. REQUIRES: field.initial_default.
Result<Column> InitialDefaultColumn(const NestedField& field, int64_t rows);

}  // namespace floe::iceberg
