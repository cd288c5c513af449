#include "floe/stream/pipeline_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <set>

#include "floe/iceberg/table_builder.h"
#include "floe/stream/transform.h"

namespace floe::stream {
namespace {

// Reads YAML nodes into values, collecting every problem with its path
// instead of stopping at the first.
class Reader {
 public:
  explicit Reader(std::vector<ConfigError>* errors) : errors_(errors) {}

  void Error(const std::string& path, const YAML::Node& node, std::string_view text) {
    std::string message(text);
    if (node.IsDefined() && node.Mark().line >= 0) {
      message += fmt::format(" (line {})", node.Mark().line + 1);
    }
    errors_->push_back({path, std::move(message)});
  }
  bool ok() const { return errors_->empty(); }

  // Whether `node` is a map; every key must be one of `allowed`.
  bool Map(const YAML::Node& node, const std::string& path,
           std::initializer_list<std::string_view> allowed) {
    if (!node.IsMap()) {
      Error(path, node, "expected a mapping");
      return false;
    }
    for (const auto& kv : node) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
      bool known = false;
      for (std::string_view a : allowed) known = known || a == key;
      if (!known) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        Error(Join(path, key), kv.first, fmt::format("unknown key (expected one of: {})", list));
      }
    }
    return true;
  }

  std::optional<std::string> Scalar(const YAML::Node& map, const std::string& path, const char* key,
                                    bool required) {
    const YAML::Node node = map[key];
    if (!node.IsDefined() || node.IsNull()) {
      if (required) Error(Join(path, key), map, "required");
      return std::nullopt;
    }
    if (!node.IsScalar()) {
      Error(Join(path, key), node, "expected a single value");
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::vector<std::string> StringList(const YAML::Node& map, const std::string& path,
                                      const char* key) {
    std::vector<std::string> out;
    const YAML::Node node = map[key];
    if (!node.IsDefined() || node.IsNull()) return out;
    if (node.IsScalar()) return {node.Scalar()};
    if (!node.IsSequence()) {
      Error(Join(path, key), node, "expected a list");
      return out;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      if (!node[i].IsScalar()) {
        Error(fmt::format("{}[{}]", Join(path, key), i), node[i], "expected a single value");
      } else {
        out.push_back(node[i].Scalar());
      }
    }
    return out;
  }

  std::map<std::string, std::string> StringMap(const YAML::Node& map, const std::string& path,
                                               const char* key) {
    std::map<std::string, std::string> out;
    const YAML::Node node = map[key];
    if (!node.IsDefined() || node.IsNull()) return out;
    if (!node.IsMap()) {
      Error(Join(path, key), node, "expected a mapping");
      return out;
    }
    for (const auto& kv : node) {
      if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
        Error(Join(path, key), kv.first, "expected KEY: VALUE entries of single values");
        continue;
      }
      out[kv.first.Scalar()] = kv.second.Scalar();
    }
    return out;
  }

  static std::string Join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
  }

  // A field's type: a primitive name, or struct / list / map with their parts.
  std::optional<TypePtr> ReadType(const YAML::Node& node, const std::string& path,
                                  int32_t* next_id) {
    if (node.IsScalar()) {
      if (auto t = ParsePrimitiveType(node.Scalar())) return *t;
      if (node.Scalar() != "struct" && node.Scalar() != "list" && node.Scalar() != "map") {
        Error(path, node, fmt::format("unknown type '{}'", node.Scalar()));
        return std::nullopt;
      }
      Error(path, node,
            fmt::format("a {} needs its parts: write {{type: {}, ...}}", node.Scalar(),
                        node.Scalar()));
      return std::nullopt;
    }
    if (!node.IsMap()) {
      Error(path, node, "expected a type name or a mapping");
      return std::nullopt;
    }
    auto kind = Scalar(node, path, "type", true);
    if (!kind) return std::nullopt;
    if (*kind == "struct") {
      Map(node, path, {"type", "fields", "name", "required", "doc"});
      auto fields = ReadFields(node["fields"], Join(path, "fields"), next_id);
      if (!fields) return std::nullopt;
      return Type::Struct(std::move(*fields));
    }
    if (*kind == "list") {
      Map(node, path, {"type", "element", "element_required", "name", "required", "doc"});
      const int32_t id = (*next_id)++;
      auto element = ReadType(node["element"], Join(path, "element"), next_id);
      if (!element) return std::nullopt;
      return Type::List(NestedField(id, "element", Bool(node, path, "element_required"), *element));
    }
    if (*kind == "map") {
      Map(node, path, {"type", "key", "value", "value_required", "name", "required", "doc"});
      const int32_t key_id = (*next_id)++;
      const int32_t value_id = (*next_id)++;
      auto key = ReadType(node["key"], Join(path, "key"), next_id);
      auto value = ReadType(node["value"], Join(path, "value"), next_id);
      if (!key || !value) return std::nullopt;
      return Type::Map(NestedField(key_id, "key", true, *key),
                       NestedField(value_id, "value", Bool(node, path, "value_required"), *value));
    }
    if (auto t = ParsePrimitiveType(*kind)) return *t;
    Error(Join(path, "type"), node["type"], fmt::format("unknown type '{}'", *kind));
    return std::nullopt;
  }

  bool Bool(const YAML::Node& map, const std::string& path, const char* key) {
    auto text = Scalar(map, path, key, false);
    if (!text) return false;
    if (*text == "true" || *text == "yes") return true;
    if (*text != "false" && *text != "no")
      Error(Join(path, key), map[key], "expected true or false");
    return false;
  }

  std::optional<std::vector<NestedField>> ReadFields(const YAML::Node& node,
                                                     const std::string& path, int32_t* next_id) {
    if (!node.IsSequence() || node.size() == 0) {
      Error(path, node, "expected a list of fields ({name: ..., type: ...})");
      return std::nullopt;
    }
    std::vector<NestedField> fields;
    const size_t errors_before = errors_->size();
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string at = fmt::format("{}[{}]", path, i);
      const YAML::Node f = node[i];
      if (!Map(f, at,
               {"name", "type", "required", "doc", "fields", "element", "element_required", "key",
                "value", "value_required"})) {
        continue;
      }
      auto name = Scalar(f, at, "name", true);
      const int32_t id = (*next_id)++;
      // A field's own map carries its type's parts ({name: t, type: list, element: string}).
      std::optional<TypePtr> type;
      if (f["type"].IsScalar() && !ParsePrimitiveType(f["type"].Scalar())) {
        type = ReadType(f, at, next_id);
      } else {
        type = ReadType(f["type"], Join(at, "type"), next_id);
      }
      const bool required = Bool(f, at, "required");
      auto doc = Scalar(f, at, "doc", false);
      if (name && type) fields.emplace_back(id, *name, required, *type, doc.value_or(""));
    }
    if (errors_->size() != errors_before) return std::nullopt;
    return fields;
  }

 private:
  std::vector<ConfigError>* errors_;
};

bool ValidPipelineName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

void ReadTable(Reader& r, const YAML::Node& node, const std::string& path, TableConfig* out) {
  if (node.IsScalar()) {  // just a name: the table must exist
    auto id = catalog::TableIdentifier::Parse(node.Scalar());
    if (!id.ok())
      r.Error(path, node, id.status().message());
    else
      out->id = *id;
    return;
  }
  if (!r.Map(node, path,
             {"name", "schema", "evolve_schema", "partition_by", "properties", "when"})) {
    return;
  }
  out->when = r.Scalar(node, path, "when", false).value_or("");
  if (auto name = r.Scalar(node, path, "name", true)) {
    auto id = catalog::TableIdentifier::Parse(*name);
    if (!id.ok())
      r.Error(Reader::Join(path, "name"), node["name"], id.status().message());
    else
      out->id = *id;
  }
  if (node["schema"].IsDefined() && node["schema"].IsScalar()) {
    out->infer_schema = node["schema"].Scalar() == "infer";
    if (!out->infer_schema) {
      r.Error(Reader::Join(path, "schema"), node["schema"],
              "expected a list of fields, or `infer` to take them from the records");
    }
  } else if (node["schema"].IsDefined()) {
    int32_t next_id = 1;
    auto fields = r.ReadFields(node["schema"], Reader::Join(path, "schema"), &next_id);
    if (fields) {
      Schema schema(std::move(*fields));
      if (Status s = schema.Validate(); !s.ok()) {
        r.Error(Reader::Join(path, "schema"), node["schema"], s.message());
      } else {
        out->schema = std::move(schema);
      }
    }
  }
  out->evolve_schema =
      node["evolve_schema"].IsDefined() ? r.Bool(node, path, "evolve_schema") : out->infer_schema;
  out->partition_by = r.Scalar(node, path, "partition_by", false).value_or("");
  if (!out->partition_by.empty()) {
    if (!out->schema) {
      r.Error(Reader::Join(path, "partition_by"), node["partition_by"],
              "needs the table's schema (partitioning applies when floe creates the table)");
    } else if (auto spec = iceberg::ParsePartitionSpec(out->partition_by, *out->schema);
               !spec.ok()) {
      r.Error(Reader::Join(path, "partition_by"), node["partition_by"], spec.status().message());
    }
  }
  out->properties = r.StringMap(node, path, "properties");
}

// A field name, a dotted path or a JSON pointer, as a JSON pointer.
std::string RoutePointer(std::string_view route) {
  if (route.starts_with('/')) return std::string(route);
  std::string pointer = "/";
  for (char c : route) pointer += c == '.' ? '/' : c;
  return pointer;
}

bool IsPlainRoute(std::string_view route) {
  if (route.empty()) return false;
  for (char c : route) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' ||
          c == '$')) {
      return false;
    }
  }
  return true;
}

void ReadTransform(Reader& r, const YAML::Node& node, const std::string& path,
                   PipelineConfig* out) {
  if (node["input"].IsDefined()) {
    int32_t next_id = 1;
    if (auto fields = r.ReadFields(node["input"], Reader::Join(path, "input"), &next_id)) {
      out->input = std::move(*fields);
    }
  }
  const YAML::Node steps = node["transform"];
  if (!steps.IsDefined()) return;
  const std::string list_path = Reader::Join(path, "transform");
  if (!steps.IsSequence()) {
    r.Error(list_path, steps,
            "expected a list of steps (- set: {column: expression} or "
            "- filter: expression)");
    return;
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    const std::string at = fmt::format("{}[{}]", list_path, i);
    const YAML::Node step = steps[i];
    if (!r.Map(step, at, {"set", "filter"})) continue;
    if (step.size() != 1) {
      r.Error(at, step, "one of set: or filter: per step");
      continue;
    }
    if (step["filter"].IsDefined()) {
      if (auto e = r.Scalar(step, at, "filter", true)) {
        out->transform.push_back({TransformStep::Kind::kFilter, "", *e, Reader::Join(at, "filter"),
                                  step["filter"].Mark().line + 1});
      }
      continue;
    }
    const YAML::Node set = step["set"];
    if (!set.IsMap() || set.size() == 0) {
      r.Error(Reader::Join(at, "set"), set, "expected {column: expression, ...}");
      continue;
    }
    for (const auto& kv : set) {
      const std::string column = kv.first.IsScalar() ? kv.first.Scalar() : "";
      const std::string where = Reader::Join(Reader::Join(at, "set"), column);
      if (column.empty() || !kv.second.IsScalar()) {
        r.Error(where, kv.second, "expected column: expression");
        continue;
      }
      out->transform.push_back({TransformStep::Kind::kSet, column, kv.second.Scalar(), where,
                                kv.second.Mark().line + 1});
    }
  }
}

void ReadTables(Reader& r, const YAML::Node& node, const std::string& path, PipelineConfig* out) {
  const bool one = node["table"].IsDefined(), many = node["tables"].IsDefined();
  if (one == many) {
    r.Error(Reader::Join(path, "table"), node, "give either table: or tables: (a list)");
    return;
  }
  if (one) {
    ReadTable(r, node["table"], Reader::Join(path, "table"), &out->tables.emplace_back());
  } else if (!node["tables"].IsSequence() || node["tables"].size() == 0) {
    r.Error(Reader::Join(path, "tables"), node["tables"], "expected a list of tables");
    return;
  } else {
    for (size_t i = 0; i < node["tables"].size(); ++i) {
      ReadTable(r, node["tables"][i], Reader::Join(path, fmt::format("tables[{}]", i)),
                &out->tables.emplace_back());
    }
  }
  const std::optional<std::string> route = r.Scalar(node, path, "route", false);
  if (route) {
    // A field name or pointer keeps the direct path; anything else, or any
    // transform, makes the route an expression.
    out->route_expression = !IsPlainRoute(*route) || !out->transform.empty() || !out->input.empty();
    out->route = out->route_expression ? *route : RoutePointer(*route);
  }
  if (out->tables.size() > 1 && !route) {
    r.Error(Reader::Join(path, "route"), node,
            "several tables need a route: the field whose value picks one");
  }
  std::set<std::string> whens, names;
  for (size_t i = 0; i < out->tables.size(); ++i) {
    const TableConfig& t = out->tables[i];
    const std::string at =
        one ? Reader::Join(path, "table") : fmt::format("{}.tables[{}]", path, i);
    if (route && t.when.empty()) r.Error(Reader::Join(at, "when"), node, "required with a route");
    if (!route && !t.when.empty())
      r.Error(Reader::Join(at, "when"), node, "needs a route to match");
    if (!t.when.empty() && !whens.insert(t.when).second) {
      r.Error(Reader::Join(at, "when"), node, fmt::format("'{}' picks two tables", t.when));
    }
    if (!t.id.name.empty() && !names.insert(t.id.ToString()).second) {
      r.Error(Reader::Join(at, "name"), node, fmt::format("{} is listed twice", t.id.ToString()));
    }
  }
}

void ReadKafka(Reader& r, const YAML::Node& node, const std::string& path, PipelineConfig* out) {
  if (!r.Map(node, path, {"bootstrap_servers", "topics", "group", "start", "properties"})) return;
  out->kafka.bootstrap_servers = r.Scalar(node, path, "bootstrap_servers", true).value_or("");
  out->kafka.topics = r.StringList(node, path, "topics");
  if (out->kafka.topics.empty()) r.Error(Reader::Join(path, "topics"), node, "required");
  out->kafka.group_id = r.Scalar(node, path, "group", false).value_or("floe-" + out->name);
  const std::string start = r.Scalar(node, path, "start", false).value_or("earliest");
  if (start != "earliest" && start != "latest") {
    r.Error(Reader::Join(path, "start"), node["start"], "expected earliest or latest");
  }
  out->kafka.start_at_earliest = start == "earliest";
  out->kafka.properties = r.StringMap(node, path, "properties");
  for (const char* reserved : {"enable.auto.commit", "enable.auto.offset.store"}) {
    if (out->kafka.properties.contains(reserved)) {
      r.Error(Reader::Join(Reader::Join(path, "properties"), reserved), node["properties"],
              "floe decides this: positions come from the tables, never from Kafka");
    }
  }
}

void ReadFormat(Reader& r, const YAML::Node& node, const std::string& path, PipelineConfig* out) {
  const std::string format = r.Scalar(node, path, "format", false).value_or("json");
  const std::string avro_path = Reader::Join(path, "avro");
  if (format == "json") {
    if (node["avro"].IsDefined()) r.Error(avro_path, node["avro"], "only for format: avro");
    return;
  }
  if (format != "avro") {
    r.Error(Reader::Join(path, "format"), node["format"],
            fmt::format("unknown format '{}' (json, avro)", format));
    return;
  }
  out->format = PipelineConfig::Format::kAvro;
  const YAML::Node avro = node["avro"];
  if (!avro.IsDefined()) {
    r.Error(avro_path, node,
            "required for format: avro: {schema_file: FILE.avsc} or {registry: http://HOST:PORT}");
    return;
  }
  if (!r.Map(avro, avro_path, {"schema_file", "registry"})) return;
  out->avro_schema_file = r.Scalar(avro, avro_path, "schema_file", false).value_or("");
  out->avro_registry = r.Scalar(avro, avro_path, "registry", false).value_or("");
  if (out->avro_schema_file.empty() == out->avro_registry.empty()) {
    r.Error(avro_path, avro, "give one of schema_file and registry");
  } else if (!out->avro_registry.empty() && !out->avro_registry.starts_with("http://")) {
    r.Error(Reader::Join(avro_path, "registry"), avro["registry"],
            "expected an http:// URL (https is not supported)");
  }
}

void ReadPipeline(Reader& r, const YAML::Node& node, const std::string& path, PipelineConfig* out) {
  if (!r.Map(node, path,
             {"name", "source", "format", "avro", "input", "transform", "table", "tables", "route",
              "dead_letters", "commit_interval", "target_file_size", "memory_budget",
              "max_record_size"})) {
    return;
  }
  out->name = r.Scalar(node, path, "name", true).value_or("");
  if (!out->name.empty() && !ValidPipelineName(out->name)) {
    r.Error(Reader::Join(path, "name"), node["name"],
            "a pipeline name is 1-128 of a-z, 0-9, '_' and '-'");
  }
  const std::string source_path = Reader::Join(path, "source");
  if (!node["source"].IsDefined()) {
    r.Error(source_path, node, "required");
  } else if (r.Map(node["source"], source_path, {"kafka"})) {
    if (!node["source"]["kafka"].IsDefined())
      r.Error(Reader::Join(source_path, "kafka"), node["source"], "required");
    else
      ReadKafka(r, node["source"]["kafka"], Reader::Join(source_path, "kafka"), out);
  }
  ReadFormat(r, node, path, out);
  ReadTransform(r, node, path, out);
  ReadTables(r, node, path, out);
  if (out->format == PipelineConfig::Format::kAvro) {
    for (size_t i = 0; i < out->tables.size(); ++i) {
      TableConfig& t = out->tables[i];
      const std::string at = node["tables"].IsDefined()
                                 ? Reader::Join(path, fmt::format("tables[{}]", i))
                                 : Reader::Join(path, "table");
      if (t.infer_schema && out->avro_schema_file.empty()) {
        r.Error(at, node,
                "schema: infer with Avro takes the columns from avro.schema_file (with a "
                "registry, the writer schema is not known before the first record): declare "
                "the schema");
      }
      // An inferred schema evolves by default, from JSON records only.
      if (t.evolve_schema && !t.infer_schema) {
        r.Error(Reader::Join(at, "evolve_schema"), node,
                "evolve_schema applies to json records (an Avro table's columns come from its "
                "declared schema or its schema_file)");
      }
      t.evolve_schema = false;
    }
  }
  if (Transform::Needed(*out)) {
    for (size_t i = 0; i < out->tables.size(); ++i) {
      if (out->tables[i].infer_schema || out->tables[i].evolve_schema) {
        const std::string at = node["tables"].IsDefined()
                                   ? Reader::Join(path, fmt::format("tables[{}]", i))
                                   : Reader::Join(path, "table");
        r.Error(at, node,
                "schema: infer and evolve_schema need a pipeline without transforms (with them, "
                "the columns come from expressions over a declared input)");
      }
    }
  }
  if (auto dlq = r.Scalar(node, path, "dead_letters", false)) {
    auto id = catalog::TableIdentifier::Parse(*dlq);
    if (!id.ok()) {
      r.Error(Reader::Join(path, "dead_letters"), node["dead_letters"], id.status().message());
    } else {
      out->dead_letters = *id;
    }
  } else if (out->tables.size() == 1 && !out->tables[0].id.name.empty()) {
    out->dead_letters = {out->tables[0].id.ns, out->tables[0].id.name + "__dlq"};
  } else if (!out->tables.empty() && !out->tables[0].id.ns.empty()) {
    out->dead_letters = {out->tables[0].id.ns, out->name + "__dlq"};
  }
  if (auto text = r.Scalar(node, path, "commit_interval", false)) {
    auto d = ParseDuration(*text);
    if (!d || *d < std::chrono::milliseconds(100)) {
      r.Error(Reader::Join(path, "commit_interval"), node["commit_interval"],
              "expected a duration of at least 100ms (100ms, 1s, 1m)");
    } else {
      out->commit_interval = *d;
    }
  }
  auto size = [&](const char* key, int64_t minimum) -> std::optional<int64_t> {
    auto text = r.Scalar(node, path, key, false);
    if (!text) return std::nullopt;
    auto v = ParseByteSize(*text);
    if (!v || *v < minimum) {
      r.Error(
          Reader::Join(path, key), node[key],
          fmt::format("expected a size of at least {} bytes (4096, 64KiB, 128MiB, 1GiB)", minimum));
      return std::nullopt;
    }
    return v;
  };
  out->target_file_bytes = size("target_file_size", 4096);
  if (auto v = size("memory_budget", int64_t{16} << 20)) out->memory_budget_bytes = *v;
  if (auto v = size("max_record_size", 16)) out->max_record_bytes = *v;
}

}  // namespace

std::optional<int64_t> ParseByteSize(std::string_view text) {
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n < 0) return std::nullopt;
  const std::string_view unit(ptr, static_cast<size_t>(text.data() + text.size() - ptr));
  static const std::pair<std::string_view, int64_t> kUnits[] = {
      {"", 1},          {"B", 1},         {"KB", 1000},    {"MB", 1000000}, {"GB", 1000000000},
      {"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}};
  for (const auto& [name, scale] : kUnits) {
    int64_t v = 0;
    if (unit == name) return __builtin_mul_overflow(n, scale, &v) ? std::nullopt : std::optional(v);
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n < 0) return std::nullopt;
  const std::string_view unit(ptr, static_cast<size_t>(text.data() + text.size() - ptr));
  if (unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "s") return std::chrono::milliseconds(n * 1000);
  if (unit == "m") return std::chrono::milliseconds(n * 60000);
  return std::nullopt;
}

std::optional<std::string> ExpandEnvironment(std::string_view text,
                                             std::vector<ConfigError>* errors) {
  std::string out;
  size_t line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
    if (text[i] != '$' || i + 1 >= text.size() || text[i + 1] != '{') {
      out += text[i];
      continue;
    }
    const size_t end = text.find('}', i);
    if (end == std::string_view::npos) {
      errors->push_back({"", fmt::format("unclosed ${{ (line {})", line)});
      return std::nullopt;
    }
    std::string_view name = text.substr(i + 2, end - i - 2);
    std::optional<std::string_view> fallback;
    if (const size_t dash = name.find(":-"); dash != std::string_view::npos) {
      fallback = name.substr(dash + 2);
      name = name.substr(0, dash);
    }
    const char* value = std::getenv(std::string(name).c_str());
    if (value != nullptr && *value != '\0') {
      out += value;
    } else if (fallback) {
      out += *fallback;
    } else {
      errors->push_back({"", fmt::format("environment variable {} is not set (line {}; "
                                         "${{{}:-default}} gives a default)",
                                         name, line, name)});
    }
    i = end;
  }
  if (!errors->empty()) return std::nullopt;
  return out;
}

std::optional<std::vector<PipelineConfig>> ParsePipelines(const std::string& text,
                                                          std::vector<ConfigError>* errors) {
  const std::optional<std::string> yaml = ExpandEnvironment(text, errors);
  if (!yaml) return std::nullopt;
  YAML::Node root;
  try {
    root = YAML::Load(*yaml);
  } catch (const YAML::Exception& e) {
    errors->push_back({"", fmt::format("not YAML: {} (line {})", e.msg, e.mark.line + 1)});
    return std::nullopt;
  }
  Reader r(errors);
  std::vector<PipelineConfig> out;
  if (root.IsMap() && root["pipelines"].IsDefined()) {
    const YAML::Node list = root["pipelines"];
    if (!list.IsSequence() || list.size() == 0) {
      r.Error("pipelines", list, "expected a list of pipelines");
      return std::nullopt;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      ReadPipeline(r, list[i], fmt::format("pipelines[{}]", i), &out.emplace_back());
    }
  } else if (root.IsMap()) {
    ReadPipeline(r, root, "", &out.emplace_back());
  } else {
    r.Error("", root, "expected a pipeline or a `pipelines:` list");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i].name.empty() && !names.insert(out[i].name).second) {
      errors->push_back({fmt::format("pipelines[{}].name", i),
                         fmt::format("pipeline '{}' is declared twice", out[i].name)});
    }
  }
  if (!r.ok()) return std::nullopt;
  // Expressions are typed against the tables' schemas where the config
  // gives them all (a table that exists already is checked when it runs).
  for (size_t i = 0; i < out.size(); ++i) {
    const PipelineConfig& p = out[i];
    if (!Transform::Needed(p)) continue;
    std::vector<Schema> schemas;
    for (const TableConfig& t : p.tables) {
      if (t.schema) schemas.push_back(*t.schema);
    }
    if (schemas.size() != p.tables.size()) continue;
    const std::string path = root["pipelines"].IsDefined() ? fmt::format("pipelines[{}]", i) : "";
    Transform::Compile(p, schemas, path, errors);
  }
  if (!errors->empty()) return std::nullopt;
  return out;
}

}  // namespace floe::stream
