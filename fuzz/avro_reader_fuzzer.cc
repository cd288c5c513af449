// libFuzzer target for the Avro object container reader: the input is a whole
// file. Opens it, decodes every record and renders it as JSON, and writes the
// schema back as JSON. Errors are fine; crashes, leaks, hangs and allocations
// the input does not justify are findings (scripts/fuzz).
#include <cstddef>
#include <cstdint>
#include <string>

#include "floe/format/avro/avro_value_json.h"
#include "floe/format/avro/container_reader.h"
#include "floe/io/file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = floe::OpenMemoryInputFile("fuzz.avro",
                                        std::string(reinterpret_cast<const char*>(data), size));
  if (!file.ok()) return 0;
  // A small block limit: a few KB of input may not decompress to gigabytes.
  floe::avro::ContainerReaderOptions options;
  options.max_block_bytes = size_t{16} << 20;
  auto reader = floe::avro::ContainerReader::Open(std::move(*file), options);
  if (!reader.ok()) return 0;
  const floe::avro::AvroSchema& schema = (*reader)->schema();
  std::string json = floe::avro::AvroSchemaToJson(schema);
  floe::avro::AvroValue value;
  while (true) {
    auto more = (*reader)->Next(&value);
    if (!more.ok() || !*more) break;
    json.clear();
    floe::avro::AppendAvroJson(schema, schema.root, value, &json);
  }
  return 0;
}
