// Schema evolution from JSON records: what a record needs added to a
// table's schema before it can be stored whole. The pipeline asks only
// when the decoder, told to, refused a record for a key the schema lacks
// (kNotFound) or a number past its column's range (kOutOfRange): the slow
// path, so this parses the record again on its own.
//
// The rules (docs/design/streaming.md, "Schema evolution"):
//   - a key that names no field and carries a value becomes an optional
//     field, at any depth (inside structs, lists of structs, maps to
//     structs), typed from the value: true/false boolean, integers long,
//     integers past long's range decimal(38,0), other numbers double,
//     strings string, objects structs, arrays lists of their elements'
//     type. A key whose value is null, [] or {} (nothing to type) waits
//     for a record that has one;
//   - an int field given an integer past int's range widens to long, a
//     float field given a finite number past float's range to double
//     (Iceberg's type promotions), except for a partition source;
//   - nothing else changes: a value of another kind is the decoder's
//     error, and the record a dead letter.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "floe/schema/schema.h"
#include "floe/util/status.h"

namespace floe::source {

struct SchemaEvolution {
  Schema schema;                     // every field of the old one, by id, with the changes
  int32_t last_column_id = 0;        // the highest id now assigned
  std::vector<std::string> changes;  // "added vitals.spo2 long", "widened n int -> long"
};

struct EvolutionLimits {
  int32_t max_fields = 1000;      // in the whole schema, nested ones included
  std::set<int32_t> fixed_types;  // fields that may not widen (partition sources)
};

// nullopt when `record` needs nothing added (it may still fail to decode).
// kInvalidArgument when it is not a JSON object or would grow the schema
// past max_fields. New fields get ids from last_column_id + 1 up.
Result<std::optional<SchemaEvolution>> EvolveSchemaFor(std::string_view record,
                                                       const Schema& schema, int32_t last_column_id,
                                                       const EvolutionLimits& limits = {});

}  // namespace floe::source
