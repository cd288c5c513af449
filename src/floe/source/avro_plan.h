// How the datums of one Avro writer schema go into the columns of one table
// schema: a tree of steps, compiled once per (writer schema, table schema)
// pair by matching fields by name, which AvroDecoder then reads datums along
// (avro_decoder.h lists the conversions). A pair that cannot convert compiles
// to a kIncompatible step rather than an error, so only the datums that
// reach it (one union branch, say) fail.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "floe/format/avro/avro_schema.h"
#include "floe/schema/schema.h"

namespace floe::source {

// What one step of a plan does with the writer's value.
enum class AvroOp : uint8_t {
  kSkip,          // a field the table lacks
  kIncompatible,  // a value the column cannot take: every datum reaching it fails
  kNull,
  kBoolean,
  kIntToInt,   // int, date
  kIntToLong,  // int -> long; time-millis -> time (scaled)
  kIntToFloat,
  kIntToDouble,
  kLong,  // long; times and timestamps (scaled)
  kLongToFloat,
  kLongToDouble,
  kFloat,
  kFloatToDouble,
  kDouble,
  kString,
  kStringAsText,  // a string in a column's text form
  kBytes,
  kFixed,  // fixed -> fixed, uuid or binary
  kDecimalBytes,
  kDecimalFixed,
  kEnum,
  kRecord,
  kArray,
  kMap,
  kUnion,
};

struct AvroStep {
  AvroOp op = AvroOp::kSkip;
  int node = -1;    // the writer's type
  int column = -1;  // in a record: the table field (child column) it fills
  bool required = false;
  int64_t factor = 1;  // kIntToLong / kLong: the unit change (milli -> micro: 1000)
  int precision = 0;   // decimals: the column's
  std::string name;    // the writer field's, for errors
  std::string error;   // kIncompatible
  // kRecord: one per writer field, in the writer's order; kArray: {items};
  // kMap: {values}; kUnion: one per branch.
  std::vector<AvroStep> children;
  std::vector<int> missing;  // kRecord: table fields the writer lacks (null)
};

// The plan for datums of `schema` into rows of `fields`, the table's
// top-level fields (a root that is not a record: a kIncompatible step).
AvroStep CompileAvroPlan(const avro::AvroSchema& schema, const std::vector<NestedField>& fields);

// "long (timestamp-millis)": a node's type, for errors.
std::string AvroTypeText(const avro::AvroNode& node);

}  // namespace floe::source
