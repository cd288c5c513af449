// Pipelines as declared in YAML (`floe pipeline run FILE`, and the
// `pipelines:` list of `floe server --config`):
//
//   pipelines:
//     - name: edc_audit                      # [a-z0-9_-], unique
//       source:
//         kafka:
//           bootstrap_servers: 127.0.0.1:9092
//           topics: [edc.audit]              # names, or regexes starting with ^
//           group: floe-edc                  # default floe-<name>
//           start: earliest                  # or latest: where no table recorded offsets
//           properties: {security.protocol: SASL_SSL}   # any librdkafka property
//       format: json                         # or avro, with avro: {schema_file | registry}
//       table:
//         name: edc.audit_events
//         schema:                            # used when the table is created
//           - {name: audit_id, type: long, required: true}
//           - {name: ts, type: timestamptz}
//           - {name: tags, type: list, element: string}
//           - {name: vitals, type: struct, fields: [{name: hr, type: int}]}
//           - {name: attrs, type: map, key: string, value: string}
//         partition_by: day(ts)
//         properties: {write.parquet.compression-codec: zstd}
//       dead_letters: edc.audit_events__dlq  # the default: <table>__dlq
//
// One topic into several tables: `tables:` instead of `table:`, and `route:`
// the field (a name, a dotted path or a JSON pointer) whose value picks the
// table whose `when:` it equals; a record no table takes is a dead letter.
//       route: DOMAIN
//       tables:
//         - {name: sdtm.vs, when: VS, schema: [...]}
//         - {name: sdtm.lb, when: LB, schema: [...]}
//       dead_letters: sdtm.findings__dlq     # the default: <first table's namespace>.<name>__dlq
//       commit_interval: 1s                  # 100ms and up
//       target_file_size: 128MiB
//       memory_budget: 256MiB
//       max_record_size: 4MiB
//
// A file may also hold one pipeline at its top level (without `pipelines:`).
// ${NAME} is replaced by the environment variable NAME before the YAML is
// read (${NAME:-default} when it may be unset): secrets and addresses stay
// out of the file.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "floe/catalog/catalog.h"
#include "floe/schema/schema.h"
#include "floe/source/kafka_consumer.h"

namespace floe::stream {

struct TableConfig {
  catalog::TableIdentifier id;
  std::string when;              // the route value that picks this table
  std::optional<Schema> schema;  // for creating the table
  // `schema: infer`: created with no columns when missing; the records'
  // fields become its columns (evolve_schema).
  bool infer_schema = false;
  // New fields of the records become optional columns, numbers past int's
  // or float's range widen them (source/json_schema_evolution.h). Default:
  // on for an inferred schema, off otherwise.
  bool evolve_schema = false;
  std::string partition_by;  // ParsePartitionSpec's text
  catalog::Properties properties;
};

// One `transform:` entry: `set: {column: expression, ...}` makes one step
// per column, in order; `filter: expression` keeps the rows it is true for.
struct TransformStep {
  enum class Kind : uint8_t { kSet, kFilter } kind = Kind::kSet;
  std::string column;  // kSet: the name it binds
  std::string expression;
  std::string path;  // YAML path, for errors
  int line = 0;      // in the file, 1-based; 0 unknown
};

struct PipelineConfig {
  std::string name;
  source::KafkaConsumer::Options kafka;
  enum class Format { kJson, kAvro } format = Format::kJson;
  // format: avro, where the writer schemas come from (exactly one):
  //   avro: {schema_file: audit.avsc}           every record's, whatever id it names
  //   avro: {registry: http://127.0.0.1:8081}   by the id in each record
  std::string avro_schema_file;  // relative to the working directory
  std::string avro_registry;
  std::vector<TableConfig> tables;  // at least one
  // A JSON pointer ("/DOMAIN"), or with route_expression an expression
  // (stream/expr); empty: every record to tables[0].
  std::string route;
  bool route_expression = false;
  std::vector<NestedField> input;  // fields expressions read that no table keeps
  std::vector<TransformStep> transform;
  catalog::TableIdentifier dead_letters;
  std::chrono::milliseconds commit_interval{1000};
  std::optional<int64_t> target_file_bytes;
  int64_t memory_budget_bytes = int64_t{256} << 20;
  int64_t max_record_bytes = int64_t{4} << 20;
};

// A problem at a place in the YAML: "pipelines[0].source.kafka.topics".
struct ConfigError {
  std::string path;
  std::string message;
  std::string ToString() const { return path.empty() ? message : path + ": " + message; }
};

// Every pipeline in `yaml`, or (in `errors`, all of them, in document order)
// why not.
std::optional<std::vector<PipelineConfig>> ParsePipelines(const std::string& text,
                                                          std::vector<ConfigError>* errors);

// `text` with ${NAME} and ${NAME:-default} replaced from the environment.
std::optional<std::string> ExpandEnvironment(std::string_view text,
                                             std::vector<ConfigError>* errors);

// "128MiB", "1GB", "4096" (bytes) / "100ms", "1s", "5m".
std::optional<int64_t> ParseByteSize(std::string_view text);
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace floe::stream
