// Reads Avro object container files: the header's metadata and schema, then
// the records block by block. Hostile-input safe: every length is checked
// against the file before it is read, blocks decompress to at most
// max_block_bytes, record counts are checked against the block's bytes and
// every block must end exactly after its records and carry the header's sync
// marker. Errors are Corruption naming the file and the block's offset.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/format/avro/avro_codec.h"
#include "floe/format/avro/avro_datum.h"
#include "floe/format/avro/avro_schema.h"
#include "floe/format/avro/avro_value.h"
#include "floe/format/avro/container_writer.h"
#include "floe/io/file.h"

namespace floe::avro {

struct ContainerReaderOptions {
  size_t max_block_bytes = size_t{256} << 20;  // uncompressed
};

class ContainerReader {
  struct Token {};

 public:
  static Result<std::unique_ptr<ContainerReader>> Open(std::unique_ptr<InputFile> file,
                                                       ContainerReaderOptions options = {});

  ContainerReader(Token, std::unique_ptr<InputFile> file, ContainerReaderOptions options);
  ContainerReader(const ContainerReader&) = delete;
  ContainerReader& operator=(const ContainerReader&) = delete;

  const AvroSchema& schema() const { return schema_; }
  AvroCodec codec() const { return codec_; }
  // Every header entry in file order, "avro.schema" and "avro.codec" included.
  const std::vector<std::pair<std::string, std::string>>& metadata() const { return metadata_; }
  // The first entry with this key.
  std::optional<std::string_view> Metadata(std::string_view key) const;
  const std::array<uint8_t, kSyncSize>& sync() const { return sync_; }

  // Decodes the next record into `out`; false at the end of the file. After an
  // error the reader only fails.
  Result<bool> Next(AvroValue* out);

 private:
  Status ReadHeader();
  Status ParseHeader(std::span<const uint8_t> bytes, size_t* header_size);
  Status LoadBlock();

  std::unique_ptr<InputFile> file_;
  ContainerReaderOptions options_;
  AvroSchema schema_;
  AvroCodec codec_ = AvroCodec::kNull;
  std::vector<std::pair<std::string, std::string>> metadata_;
  std::array<uint8_t, kSyncSize> sync_{};
  std::optional<DatumDecoder> decoder_;

  int64_t offset_ = 0;        // of the next block in the file
  int64_t block_offset_ = 0;  // of the current block, for errors
  std::string raw_;           // the current block as stored
  std::string data_;          // the current block decompressed
  std::optional<BinaryDecoder> in_;
  int64_t block_left_ = 0;   // records of the current block not read yet
  int64_t block_index_ = 0;  // record number within the current block
  Status failed_;
};

}  // namespace floe::avro
