// AvroValue as floe's JSON text, for `floe avro cat` and `floe avro write`:
//
//   null, boolean, int, long   JSON null, true/false, integers
//   float, double              numbers with a '.' or exponent; "NaN",
//                              "Infinity", "-Infinity" as strings
//   string                     JSON string
//   bytes, fixed               base64
//   enum                       the symbol
//   record                     object keyed by field name
//   array                      array; map: object
//   union                      the branch's value, unwrapped
//
// Logical types are shown as their underlying type (a date is an int), so the
// text is exactly what the file holds.
#pragma once

#include <string>
#include <string_view>

#include "floe/format/avro/avro_schema.h"
#include "floe/format/avro/avro_value.h"
#include "floe/util/status.h"

namespace floe::avro {

// Appends `value` (of schema node `node`) as compact JSON.
void AppendAvroJson(const AvroSchema& schema, int node, const AvroValue& value, std::string* out);

// Parses one JSON value as a datum of the schema's root type. A union takes
// the first branch the JSON fits; a missing record key is null when the field
// may be null. Mismatches are InvalidArgument naming the field.
Result<AvroValue> AvroValueFromJson(const AvroSchema& schema, std::string_view json);

}  // namespace floe::avro
