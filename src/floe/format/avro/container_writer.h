// Writes Avro object container files (specification, "Object Container
// Files"): the header (magic "Obj\x01", a metadata map, a 16-byte sync
// marker) and then data blocks of records, each block a record count, its
// (compressed) byte size, the records and the sync marker.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "floe/format/avro/avro_codec.h"
#include "floe/format/avro/avro_schema.h"
#include "floe/format/avro/avro_value.h"
#include "floe/io/file.h"

namespace floe::avro {

inline constexpr std::array<uint8_t, 4> kAvroMagic = {'O', 'b', 'j', 1};
inline constexpr size_t kSyncSize = 16;

struct ContainerWriterOptions {
  AvroCodec codec = AvroCodec::kNull;
  int compression_level = 0;  // 0: the codec's default
  // A block is cut once its uncompressed records reach this size.
  size_t block_bytes = 64 * 1024;
  // Extra header metadata (Iceberg's "schema", "partition-spec", ...), written
  // after avro.schema and avro.codec in this order. Keys starting with "avro."
  // are reserved and rejected.
  std::vector<std::pair<std::string, std::string>> metadata;
  // The sync marker; random when unset.
  std::optional<std::array<uint8_t, kSyncSize>> sync;
};

class ContainerWriter {
 public:
  // Writes the header at once; the schema is written as AvroSchemaToJson.
  static Result<std::unique_ptr<ContainerWriter>> Open(std::unique_ptr<OutputFile> file,
                                                       AvroSchema schema,
                                                       ContainerWriterOptions options);

  // Appends one record of the schema's root type; a value that does not fit
  // the schema is InvalidArgument and leaves the file as it was.
  Status Append(const AvroValue& value);
  // Writes the pending records as a block (nothing if there are none).
  Status Flush();
  // Flushes and closes the file. After any error the writer only fails.
  Status Close();

  const AvroSchema& schema() const { return schema_; }
  int64_t records_written() const { return records_; }

 private:
  struct Token {};

 public:
  ContainerWriter(Token, std::unique_ptr<OutputFile> file, AvroSchema schema,
                  ContainerWriterOptions options);

 private:
  Status WriteHeader();

  std::unique_ptr<OutputFile> file_;
  AvroSchema schema_;
  ContainerWriterOptions options_;
  std::array<uint8_t, kSyncSize> sync_{};
  std::string pending_;
  int64_t pending_count_ = 0;
  int64_t records_ = 0;
  std::string block_;
  Status failed_;
  bool closed_ = false;
};

}  // namespace floe::avro
