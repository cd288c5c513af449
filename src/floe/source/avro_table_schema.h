// An Iceberg schema for records of an Avro writer schema (a pipeline's
// `schema: infer` with an .avsc file): the columns AvroDecoder fills
// without conversions.
//   record -> struct, array -> list, map -> map<string, V>
//   union of null and one type -> that type, optional; other unions refused
//   boolean, int, long, float, double, string, bytes -> the same
//   enum -> string; fixed -> fixed; fixed(16) uuid, string uuid -> uuid
//   date, time-millis / -micros, timestamp-millis / -micros -> date, time,
//   timestamptz; local-timestamp-millis / -micros -> timestamp; *-nanos ->
//   the _ns types; decimal -> decimal(P, S)
// Fields are required unless nullable; field ids are numbered depth-first
// from 1. Recursive records are refused (Iceberg types are finite).
#pragma once

#include "floe/format/avro/avro_schema.h"
#include "floe/schema/schema.h"
#include "floe/util/status.h"

namespace floe::source {

Result<Schema> TableSchemaFromAvro(const avro::AvroSchema& schema);

}  // namespace floe::source
