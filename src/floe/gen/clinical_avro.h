// The clinical streams (clinical.h) in Avro: one writer schema per topic,
// and records in the Confluent wire format (a zero byte, the schema id in
// four bytes big-endian, the binary datum). The schemas mirror the JSON
// records field for field (times stay ISO 8601 strings, as the JSON has
// them), so the same table declarations take either format.
//
// Malformed records (ClinicalOptions::avro) are spoiled the Avro way:
// "bad-avro" (the datum cut in half), "bad-header" (magic byte 1),
// "oversized" (a 300 KiB string value) and "unknown-route".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "floe/format/avro/avro_schema.h"
#include "floe/gen/clinical.h"
#include "floe/util/status.h"

namespace floe::gen {

// The writer schema (Avro schema JSON) of a topic's records, by the topic's
// name without prefix; empty for another name.
std::string_view ClinicalAvroSchema(std::string_view topic);

class ClinicalAvroEncoder {
 public:
  // `schema_ids`: each topic's (unprefixed) schema id, as a registry gave it.
  static Result<ClinicalAvroEncoder> Make(std::map<std::string, int32_t> schema_ids);

  // The record's JSON value as Avro in the wire format, into `wire`, spoiled
  // as record.bad says.
  Status Encode(const GeneratedRecord& record, std::string* wire) const;

 private:
  struct Topic {
    int32_t id = 0;
    avro::AvroSchema schema;
  };
  std::map<std::string, Topic, std::less<>> topics_;
};

}  // namespace floe::gen
