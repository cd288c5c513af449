#include "floe/stream/record_format.h"

#include <algorithm>

#include "floe/io/file_io.h"
#include "floe/source/avro_decoder.h"
#include "floe/source/avro_table_schema.h"
#include "floe/source/json_decoder.h"

namespace floe::stream {

Result<RecordFormat> OpenRecordFormat(const PipelineConfig& config) {
  RecordFormat out;
  const auto max_record_bytes = static_cast<size_t>(config.max_record_bytes);
  if (config.format == PipelineConfig::Format::kJson) {
    out.decoder = std::make_unique<source::JsonDecoder>(max_record_bytes);
    return out;
  }
  std::shared_ptr<source::WriterSchemas> schemas;
  if (!config.avro_registry.empty()) {
    FLOE_ASSIGN_OR_RETURN(schemas, source::SchemaRegistry::Open(config.avro_registry));
  } else {
    const std::string& file = config.avro_schema_file;
    Result<std::string> text = LocalFileIO().ReadAll(file);
    if (!text.ok()) {
      return Status::InvalidArgument("avro.schema_file {}: {}", file, text.status().message());
    }
    Result<std::shared_ptr<const source::WriterSchema>> schema =
        source::WriterSchema::Parse(0, *text);
    if (!schema.ok()) {
      return Status::InvalidArgument("avro.schema_file {}: {}", file, schema.status().message());
    }
    // A schema with no Iceberg form still decodes into declared schemas.
    const bool infers = std::any_of(config.tables.begin(), config.tables.end(),
                                    [](const TableConfig& t) { return t.infer_schema; });
    if (infers) {
      Result<Schema> table = source::TableSchemaFromAvro((*schema)->schema);
      if (!table.ok()) {
        return Status::InvalidArgument("schema: infer from avro.schema_file {}: {}", file,
                                       table.status().message());
      }
      out.schema_file_table_schema = *std::move(table);
    }
    schemas = std::make_shared<source::FixedWriterSchema>(*std::move(schema));
  }
  out.decoder = std::make_unique<source::AvroDecoder>(std::move(schemas), max_record_bytes);
  return out;
}

}  // namespace floe::stream
