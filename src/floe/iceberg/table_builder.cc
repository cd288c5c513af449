#include "floe/iceberg/table_builder.h"

#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <map>
#include <random>

#include "floe/util/strings.h"

namespace floe::iceberg {
namespace {

// Fresh column ids as Java's AssignFreshIds gives them, remembering each
// old id's new one.
class FreshIds {
 public:
  // Renumbers `fields` (one struct level) first, then their types.
  void Renumber(std::vector<NestedField>* fields) {
    for (NestedField& f : *fields) f.id = Next(f.id);
    for (NestedField& f : *fields) f.type = Renumber(f.type);
  }
  // The new id of old id `id`. REQUIRES: `id` was renumbered.
  int32_t Of(int32_t id) const { return fresh_.at(id); }
  // Whether every old id was a different one (else Of is ambiguous).
  bool Distinct() const { return fresh_.size() == static_cast<size_t>(last_); }

 private:
  int32_t Next(int32_t old) {
    fresh_[old] = ++last_;
    return last_;
  }
  TypePtr Renumber(const TypePtr& type) {
    switch (type->id()) {
      case TypeId::kStruct: {
        std::vector<NestedField> fields = type->fields();
        Renumber(&fields);
        return Type::Struct(std::move(fields));
      }
      case TypeId::kList: {
        NestedField element = type->element();
        element.id = Next(element.id);
        element.type = Renumber(element.type);
        return Type::List(std::move(element));
      }
      case TypeId::kMap: {
        NestedField key = type->key(), value = type->value();
        key.id = Next(key.id);
        value.id = Next(value.id);
        key.type = Renumber(key.type);
        value.type = Renumber(value.type);
        return Type::Map(std::move(key), std::move(value));
      }
      default:
        return type;
    }
  }

  int32_t last_ = 0;
  std::map<int32_t, int32_t> fresh_;
};

// Splits on commas outside parentheses.
std::vector<std::string_view> SplitTerms(std::string_view text) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      out.push_back(TrimSpace(text.substr(start, i - start)));
      start = i + 1;
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      --depth;
    }
  }
  return out;
}

}  // namespace

Result<PartitionSpec> ParsePartitionSpec(std::string_view text, const Schema& schema) {
  PartitionSpec spec;
  if (TrimSpace(text).empty()) return spec;
  int32_t next_id = 1000;
  for (std::string_view term : SplitTerms(text)) {
    auto bad = [&](std::string_view why) {
      return Status::InvalidArgument(
          "partition term '{}': {} (expected e.g. \"day(ts), bucket(16, id), site\")", term, why);
    };
    std::string transform_text = "identity", column;
    const size_t open = term.find('(');
    if (open == std::string_view::npos) {
      column = std::string(term);
    } else {
      if (!term.ends_with(")")) return bad("unbalanced parentheses");
      const std::string_view name = TrimSpace(term.substr(0, open));
      const std::vector<std::string_view> args =
          SplitTerms(term.substr(open + 1, term.size() - open - 2));
      if (args.size() == 1) {
        transform_text = std::string(name);
        column = std::string(args[0]);
      } else if (args.size() == 2 && (name == "bucket" || name == "truncate")) {
        transform_text = fmt::format("{}[{}]", name, args[0]);
        column = std::string(args[1]);
      } else {
        return bad("wrong number of arguments");
      }
    }
    FLOE_ASSIGN_OR_RETURN(Transform transform, Transform::Parse(transform_text));
    const NestedField* source = schema.FindByName(column);
    if (source == nullptr) return bad(fmt::format("no top-level column '{}'", column));
    auto result = transform.ResultType(source->type);
    if (!result.ok()) return bad(result.status().message());
    std::string field_name = source->name;
    switch (transform.kind()) {
      case Transform::Kind::kIdentity:
        break;
      case Transform::Kind::kBucket:
        field_name += "_bucket";
        break;
      case Transform::Kind::kTruncate:
        field_name += "_trunc";
        break;
      case Transform::Kind::kYear:
        field_name += "_year";
        break;
      case Transform::Kind::kMonth:
        field_name += "_month";
        break;
      case Transform::Kind::kDay:
        field_name += "_day";
        break;
      case Transform::Kind::kHour:
        field_name += "_hour";
        break;
      case Transform::Kind::kVoid:
        field_name += "_null";
        break;
    }
    for (const PartitionField& f : spec.fields) {
      if (f.name == field_name)
        return bad(fmt::format("partition field '{}' appears twice", field_name));
    }
    spec.fields.push_back({source->id, next_id++, field_name, transform});
  }
  return spec;
}

Result<TableMetadata> NewTableMetadata(const Schema& schema, const PartitionSpec& spec,
                                       const SortOrder& order, std::string location,
                                       std::map<std::string, std::string> properties,
                                       int format_version) {
  if (format_version < 1 || format_version > 3) {
    return Status::InvalidArgument("format version {} (floe creates 1 to 3)", format_version);
  }
  // The request's ids only tie fields to partition and sort sources (Spark
  // numbers from 0): they must be distinct, and are replaced anyway.
  FLOE_RETURN_IF_ERROR(spec.PartitionType(schema).status());
  FreshIds ids;
  std::vector<NestedField> fields = schema.fields();
  ids.Renumber(&fields);
  if (!ids.Distinct()) return Status::InvalidArgument("the schema's field ids are not distinct");
  std::vector<int32_t> identifiers;
  for (int32_t id : schema.identifier_field_ids()) {
    if (schema.FindById(id) == nullptr)
      return Status::InvalidArgument("identifier field {} is not in the schema", id);
    identifiers.push_back(ids.Of(id));
  }
  Schema fresh(std::move(fields), 0, std::move(identifiers));
  FLOE_RETURN_IF_ERROR(fresh.Validate());

  PartitionSpec fresh_spec;
  int32_t next_partition_id = 1000;
  for (PartitionField f : spec.fields) {
    f.source_id = ids.Of(f.source_id);
    f.field_id = next_partition_id++;
    fresh_spec.fields.push_back(std::move(f));
  }
  SortOrder fresh_order;
  for (SortField f : order.fields) {
    const NestedField* source = schema.FindById(f.source_id);
    if (source == nullptr) {
      return Status::InvalidArgument("sort field source {} is not in the schema", f.source_id);
    }
    f.source_id = ids.Of(f.source_id);
    fresh_order.fields.push_back(std::move(f));
  }
  fresh_order.order_id = fresh_order.fields.empty() ? 0 : 1;

  TableMetadata m;
  m.format_version = format_version;
  m.table_uuid = NewUuid();
  m.location = std::move(location);
  m.last_updated_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  m.last_column_id = fresh.HighestFieldId();
  m.current_schema_id = 0;
  m.schemas.push_back(std::move(fresh));
  m.last_partition_id = next_partition_id - 1;
  m.default_spec_id = 0;
  m.specs.push_back(std::move(fresh_spec));
  m.default_sort_order_id = fresh_order.order_id;
  m.sort_orders.push_back(std::move(fresh_order));
  m.properties = std::move(properties);
  if (format_version >= 3) m.next_row_id = 0;
  return m;
}

Result<int> TakeFormatVersion(std::map<std::string, std::string>* properties) {
  auto it = properties->find("format-version");
  if (it == properties->end()) return 2;
  const std::string text = it->second;
  properties->erase(it);
  if (text != "1" && text != "2" && text != "3") {
    return Status::InvalidArgument("format-version {} (floe creates 1, 2 or 3)", text);
  }
  return text[0] - '0';
}

std::string NewUuid() {
  // Seeded once per thread from the system's entropy (a random_device per
  // call opens /dev/urandom every time).
  thread_local std::mt19937 random = [] {
    std::random_device entropy;
    std::seed_seq seed{entropy(), entropy(), entropy(), entropy(),
                       entropy(), entropy(), entropy(), entropy()};
    return std::mt19937(seed);
  }();
  uint8_t b[16];
  for (int i = 0; i < 16; i += 4) {
    const uint32_t r = random();
    for (int k = 0; k < 4; ++k) b[i + k] = static_cast<uint8_t>(r >> (8 * k));
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out += fmt::format("{:02x}", b[i]);
  }
  return out;
}

std::string MetadataFilePath(const std::string& location, int version) {
  return fmt::format("{}/metadata/{:05d}-{}.metadata.json", location, version, NewUuid());
}

int MetadataFileVersion(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view name = path.substr(slash == std::string_view::npos ? 0 : slash + 1);
  size_t digits = 0;
  while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
  if (digits == 0 || digits > 9 || digits >= name.size() || name[digits] != '-') return -1;
  return std::stoi(std::string(name.substr(0, digits)));
}

}  // namespace floe::iceberg
