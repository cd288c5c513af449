// Where an Avro record's writer schema comes from. Records in the Confluent
// wire format name their writer schema by a 32-bit id (byte 0 is 0, bytes
// 1-4 the id, big-endian, then one binary datum). The id is resolved
//   - by a Schema Registry (Confluent's REST API: GET /schemas/ids/{id};
//     Apicurio serves the same API under /apis/ccompat/v7): each id is asked
//     once and kept, since a registered schema never changes;
//   - or by a local .avsc file, which is then the writer schema of every
//     record, whatever id it names.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "floe/format/avro/avro_schema.h"
#include "floe/io/http_client.h"
#include "floe/util/status.h"

namespace floe::source {

// A writer schema and what decoding its datums needs, computed once.
struct WriterSchema {
  int32_t id = 0;
  avro::AvroSchema schema;
  std::vector<int64_t> min_sizes;  // avro::MinEncodedSizes(schema)

  static Result<std::shared_ptr<const WriterSchema>> Parse(int32_t id, std::string_view json);
};

class WriterSchemas {
 public:
  virtual ~WriterSchemas() = default;
  // The schema records naming `id` were written with. kNotFound when there is
  // none (the record's fault); kUnavailable when it cannot be known now (the
  // registry cannot be reached or answers 5xx). Not thread-safe.
  virtual Result<std::shared_ptr<const WriterSchema>> Find(int32_t id) = 0;
};

// One schema for every id (a local .avsc).
class FixedWriterSchema final : public WriterSchemas {
 public:
  explicit FixedWriterSchema(std::shared_ptr<const WriterSchema> schema)
      : schema_(std::move(schema)) {}
  Result<std::shared_ptr<const WriterSchema>> Find(int32_t) override { return schema_; }

 private:
  std::shared_ptr<const WriterSchema> schema_;
};

// A Confluent-compatible Schema Registry at `url` ("http://HOST:PORT" with
// an optional path prefix). Answers are cached per id for the client's life.
class SchemaRegistry final : public WriterSchemas {
 public:
  static Result<std::unique_ptr<SchemaRegistry>> Open(std::string_view url);

  Result<std::shared_ptr<const WriterSchema>> Find(int32_t id) override;

  // Registers `schema_json` (Avro) under `subject` and returns its id; the
  // same schema registered again gets the same id. For producers (floe gen)
  // and tests.
  Result<int32_t> Register(std::string_view subject, std::string_view schema_json);

 private:
  explicit SchemaRegistry(std::unique_ptr<HttpClient> http) : http_(std::move(http)) {}

  std::unique_ptr<HttpClient> http_;
  std::map<int32_t, std::shared_ptr<const WriterSchema>> cache_;
};

// Splits a Confluent wire-format value into its schema id and datum;
// kCorruption when it is not one (too short, magic byte not 0).
Status SplitWireFormat(std::string_view value, int32_t* schema_id, std::string_view* datum);
// The 5-byte header naming `schema_id`, for producers.
std::string WireFormatHeader(int32_t schema_id);

}  // namespace floe::source
