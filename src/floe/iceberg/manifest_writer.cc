#include "floe/iceberg/manifest_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "floe/columnar/compare.h"
#include "floe/format/avro/container_writer.h"
#include "floe/iceberg/single_value.h"
#include "floe/io/file_io.h"
#include "floe/schema/schema_json_internal.h"
#include "floe/util/decimal.h"

namespace floe::iceberg {
namespace {

using avro::AvroValue;
using Json = nlohmann::json;

// The Avro type Iceberg uses for a primitive (spec Appendix A).
Json AvroType(const Type& t) {
  switch (t.id()) {
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt:
      return "int";
    case TypeId::kLong:
      return "long";
    case TypeId::kFloat:
      return "float";
    case TypeId::kDouble:
      return "double";
    case TypeId::kDate:
      return {{"type", "int"}, {"logicalType", "date"}};
    case TypeId::kTime:
      return {{"type", "long"}, {"logicalType", "time-micros"}};
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return {{"type", "long"},
              {"logicalType", "timestamp-micros"},
              {"adjust-to-utc", t.id() == TypeId::kTimestampTz}};
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return {{"type", "long"},
              {"logicalType", "timestamp-nanos"},
              {"adjust-to-utc", t.id() == TypeId::kTimestampTzNs}};
    case TypeId::kString:
      return "string";
    case TypeId::kBinary:
      return "bytes";
    case TypeId::kUuid:
      return {{"type", "fixed"}, {"name", "uuid_fixed"}, {"size", 16}, {"logicalType", "uuid"}};
    case TypeId::kFixed:
      return {
          {"type", "fixed"}, {"name", fmt::format("fixed_{}", t.length())}, {"size", t.length()}};
    case TypeId::kDecimal:
      return {{"type", "fixed"},
              {"name", fmt::format("decimal_{}_{}", t.precision(), t.scale())},
              {"size", DecimalByteWidth(t.precision())},
              {"logicalType", "decimal"},
              {"precision", t.precision()},
              {"scale", t.scale()}};
    default:
      return "null";
  }
}

AvroValue AvroOf(const Column& c, int64_t i) {
  switch (c.type()->id()) {
    case TypeId::kBoolean:
      return AvroValue::Boolean(c.Value<uint8_t>(i) != 0);
    case TypeId::kInt:
    case TypeId::kDate:
      return AvroValue::Int(c.Value<int32_t>(i));
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return AvroValue::Long(c.Value<int64_t>(i));
    case TypeId::kFloat:
      return AvroValue::Float(c.Value<float>(i));
    case TypeId::kDouble:
      return AvroValue::Double(c.Value<double>(i));
    case TypeId::kString:
      return AvroValue::String(std::string(c.Bytes(i)));
    case TypeId::kBinary:
      return AvroValue::Bytes(std::string(c.Bytes(i)));
    case TypeId::kDecimal: {
      std::string bytes(static_cast<size_t>(DecimalByteWidth(c.type()->precision())), '\0');
      DecimalToBigEndian(c.Value<Int128>(i), static_cast<int>(bytes.size()),
                         reinterpret_cast<uint8_t*>(bytes.data()));
      return AvroValue::Fixed(std::move(bytes));
    }
    default:
      return AvroValue::Fixed(std::string(c.Bytes(i)));  // uuid, fixed
  }
}

Json MapField(const char* name, int id, int key_id, int value_id, const char* value_type) {
  return {{"name", name},
          {"type",
           Json::array(
               {"null",
                {{"type", "array"},
                 {"logicalType", "map"},
                 {"items",
                  {{"type", "record"},
                   {"name", fmt::format("k{}_v{}", key_id, value_id)},
                   {"fields",
                    Json::array(
                        {{{"name", "key"}, {"type", "int"}, {"field-id", key_id}},
                         {{"name", "value"}, {"type", value_type}, {"field-id", value_id}}})}}}}})},
          {"default", nullptr},
          {"field-id", id}};
}

Json Optional(const char* name, Json type, int id) {
  return {{"name", name},
          {"type", Json::array({"null", std::move(type)})},
          {"default", nullptr},
          {"field-id", id}};
}

std::string ManifestEntrySchema(const TypePtr& partition_type, int format_version) {
  Json partition_fields = Json::array();
  for (const NestedField& f : partition_type->fields()) {
    partition_fields.push_back({{"name", f.name},
                                {"type", Json::array({"null", AvroType(*f.type)})},
                                {"default", nullptr},
                                {"field-id", f.id}});
  }
  Json data_file_fields = Json::array({
      {{"name", "content"}, {"type", "int"}, {"field-id", 134}},
      {{"name", "file_path"}, {"type", "string"}, {"field-id", 100}},
      {{"name", "file_format"}, {"type", "string"}, {"field-id", 101}},
      {{"name", "partition"},
       {"type", {{"type", "record"}, {"name", "r102"}, {"fields", partition_fields}}},
       {"field-id", 102}},
      {{"name", "record_count"}, {"type", "long"}, {"field-id", 103}},
      {{"name", "file_size_in_bytes"}, {"type", "long"}, {"field-id", 104}},
      MapField("column_sizes", 108, 117, 118, "long"),
      MapField("value_counts", 109, 119, 120, "long"),
      MapField("null_value_counts", 110, 121, 122, "long"),
      MapField("nan_value_counts", 137, 138, 139, "long"),
      MapField("lower_bounds", 125, 126, 127, "bytes"),
      MapField("upper_bounds", 128, 129, 130, "bytes"),
      Optional("key_metadata", "bytes", 131),
      Optional("split_offsets", {{"type", "array"}, {"items", "long"}, {"element-id", 133}}, 132),
      Optional("equality_ids", {{"type", "array"}, {"items", "int"}, {"element-id", 136}}, 135),
      Optional("sort_order_id", "int", 140),
      Optional("referenced_data_file", "string", 143),
  });
  if (format_version >= 3) {
    data_file_fields.push_back(Optional("first_row_id", "long", 142));
    data_file_fields.push_back(Optional("content_offset", "long", 144));
    data_file_fields.push_back(Optional("content_size_in_bytes", "long", 145));
  }
  Json schema = {
      {"type", "record"},
      {"name", "manifest_entry"},
      {"fields", Json::array({
                     {{"name", "status"}, {"type", "int"}, {"field-id", 0}},
                     Optional("snapshot_id", "long", 1),
                     Optional("sequence_number", "long", 3),
                     Optional("file_sequence_number", "long", 4),
                     {{"name", "data_file"},
                      {"type", {{"type", "record"}, {"name", "r2"}, {"fields", data_file_fields}}},
                      {"field-id", 2}},
                 })}};
  return schema.dump();
}

constexpr const char* kManifestListSchema =
    R"({"type": "record", "name": "manifest_file", "fields": [
  {"name": "manifest_path", "type": "string", "field-id": 500},
  {"name": "manifest_length", "type": "long", "field-id": 501},
  {"name": "partition_spec_id", "type": "int", "field-id": 502},
  {"name": "content", "type": "int", "field-id": 517},
  {"name": "sequence_number", "type": "long", "field-id": 515},
  {"name": "min_sequence_number", "type": "long", "field-id": 516},
  {"name": "added_snapshot_id", "type": "long", "field-id": 503},
  {"name": "added_files_count", "type": "int", "field-id": 504},
  {"name": "existing_files_count", "type": "int", "field-id": 505},
  {"name": "deleted_files_count", "type": "int", "field-id": 506},
  {"name": "added_rows_count", "type": "long", "field-id": 512},
  {"name": "existing_rows_count", "type": "long", "field-id": 513},
  {"name": "deleted_rows_count", "type": "long", "field-id": 514},
  {"name": "partitions", "type": ["null", {"type": "array", "element-id": 508, "items": {"type": "record",
    "name": "r508", "fields": [
      {"name": "contains_null", "type": "boolean", "field-id": 509},
      {"name": "contains_nan", "type": ["null", "boolean"], "default": null, "field-id": 518},
      {"name": "lower_bound", "type": ["null", "bytes"], "default": null, "field-id": 510},
      {"name": "upper_bound", "type": ["null", "bytes"], "default": null, "field-id": 511}]}}],
   "default": null, "field-id": 507},
  {"name": "key_metadata", "type": ["null", "bytes"], "default": null, "field-id": 519}]})";
// Format version 3 adds first_row_id to each manifest list entry.
constexpr const char* kManifestListV3Field =
    R"({"name": "first_row_id", "type": ["null", "long"], "default": null, "field-id": 520})";

template <typename V, typename F>
AvroValue IdMapValue(const std::map<int32_t, V>& m, F&& value) {
  std::vector<AvroValue> pairs;
  for (const auto& [k, v] : m) pairs.push_back(AvroValue::Record({AvroValue::Int(k), value(v)}));
  return AvroValue::Union(1, AvroValue::Array(std::move(pairs)));
}

AvroValue OptionalLong(std::optional<int64_t> v) {
  return v ? AvroValue::Union(1, AvroValue::Long(*v)) : AvroValue::Union(0, AvroValue::Null());
}

AvroValue OptionalString(const std::optional<std::string>& v) {
  return v ? AvroValue::Union(1, AvroValue::String(*v)) : AvroValue::Union(0, AvroValue::Null());
}

}  // namespace

std::vector<ManifestEntry> AddedEntries(std::vector<DataFile> files) {
  std::vector<ManifestEntry> entries(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    entries[i].status = 1;
    entries[i].data_file = std::move(files[i]);
  }
  return entries;
}

void AssignManifestToSnapshot(const Snapshot& snapshot, ManifestFile* manifest) {
  manifest->added_snapshot_id = snapshot.snapshot_id;
  manifest->sequence_number = snapshot.sequence_number;
  if (manifest->added_files_count.value_or(0) > 0 ||
      manifest->existing_files_count.value_or(0) == 0) {
    manifest->min_sequence_number =
        std::min(manifest->min_sequence_number, snapshot.sequence_number);
  }
}

Result<ManifestFile> WriteManifest(FileIO& io, const std::string& path,
                                   const TableMetadata& metadata, const PartitionSpec& spec,
                                   const std::vector<ManifestEntry>& entries) {
  const Schema* schema = metadata.CurrentSchema();
  FLOE_ASSIGN_OR_RETURN(TypePtr partition_type, metadata.PartitionTypeOf(spec.spec_id));
  const int format_version = std::max(2, metadata.format_version);
  FLOE_ASSIGN_OR_RETURN(avro::AvroSchema avro_schema,
                        avro::ParseAvroSchema(ManifestEntrySchema(partition_type, format_version)));
  // A manifest lists data files or delete files, never both.
  const int32_t content = entries.empty() || entries.front().data_file.content == 0 ? 0 : 1;
  Json spec_fields = Json::array();
  for (const PartitionField& f : spec.fields) {
    spec_fields.push_back({{"name", f.name},
                           {"transform", f.transform.ToString()},
                           {"source-id", f.source_id},
                           {"field-id", f.field_id}});
  }
  avro::ContainerWriterOptions options;
  options.codec = avro::AvroCodec::kDeflate;
  options.metadata = {{"schema", internal::SchemaToJsonValue(*schema).dump()},
                      {"schema-id", std::to_string(schema->schema_id())},
                      {"partition-spec", spec_fields.dump()},
                      {"partition-spec-id", std::to_string(spec.spec_id)},
                      {"format-version", std::to_string(format_version)},
                      {"content", content == 0 ? "data" : "deletes"}};
  FLOE_ASSIGN_OR_RETURN(auto out, io.Create(path));
  FLOE_ASSIGN_OR_RETURN(
      auto writer, avro::ContainerWriter::Open(std::move(out), std::move(avro_schema), options));

  ManifestFile entry;
  entry.manifest_path = path;
  entry.partition_spec_id = spec.spec_id;
  entry.content = content;
  entry.added_files_count = 0;
  entry.existing_files_count = 0;
  entry.deleted_files_count = 0;
  entry.added_rows_count = 0;
  entry.existing_rows_count = 0;
  entry.deleted_rows_count = 0;
  entry.partitions.resize(spec.fields.size());
  std::vector<Column> lows, highs;  // partition bounds so far, per field
  for (const NestedField& f : partition_type->fields()) {
    lows.emplace_back(f.type);
    highs.emplace_back(f.type);
  }
  // Existing entries' smallest data sequence number (AssignManifestToSnapshot
  // lowers it to the snapshot's when there are added entries).
  entry.min_sequence_number = std::numeric_limits<int64_t>::max();
  for (const ManifestEntry& e : entries) {
    const DataFile& f = e.data_file;
    if (e.status < 0 || e.status > 2) {
      return Status::InvalidArgument("{}: entry status {} is not EXISTING, ADDED or DELETED", path,
                                     e.status);
    }
    if ((f.content == 0) != (content == 0)) {
      return Status::InvalidArgument("{}: data and delete files in one manifest", path);
    }
    if (f.partition.size() != spec.fields.size()) {
      return Status::InvalidArgument("{}: {} has {} partition values for {} partition fields", path,
                                     f.file_path, f.partition.size(), spec.fields.size());
    }
    std::vector<AvroValue> partition;
    for (size_t k = 0; k < f.partition.size(); ++k) {
      const Column& v = f.partition[k];
      if (!v.IsValid(0)) {
        partition.push_back(AvroValue::Union(0, AvroValue::Null()));
        entry.partitions[k].contains_null = true;
        continue;
      }
      partition.push_back(AvroValue::Union(1, AvroOf(v, 0)));
      if (lows[k].length() == 0 || CompareSlots(v, 0, lows[k], 0) == -1) {
        lows[k] = Column(v.type());
        lows[k].AppendFrom(v, 0);
      }
      if (highs[k].length() == 0 || CompareSlots(v, 0, highs[k], 0) == 1) {
        highs[k] = Column(v.type());
        highs[k].AppendFrom(v, 0);
      }
    }
    auto as_long = [](int64_t v) { return AvroValue::Long(v); };
    auto as_bytes = [](const std::string& v) { return AvroValue::Bytes(v); };
    std::vector<AvroValue> offsets;
    for (int64_t o : f.split_offsets) offsets.push_back(AvroValue::Long(o));
    std::vector<AvroValue> equality_ids;
    for (int32_t id : f.equality_ids) equality_ids.push_back(AvroValue::Int(id));
    std::vector<AvroValue> fields = {
        AvroValue::Int(f.content),
        AvroValue::String(f.file_path),
        AvroValue::String(f.file_format),
        AvroValue::Record(std::move(partition)),
        AvroValue::Long(f.record_count),
        AvroValue::Long(f.file_size_in_bytes),
        IdMapValue(f.column_sizes, as_long),
        IdMapValue(f.value_counts, as_long),
        IdMapValue(f.null_value_counts, as_long),
        IdMapValue(f.nan_value_counts, as_long),
        IdMapValue(f.lower_bounds, as_bytes),
        IdMapValue(f.upper_bounds, as_bytes),
        AvroValue::Union(0, AvroValue::Null()),
        offsets.empty() ? AvroValue::Union(0, AvroValue::Null())
                        : AvroValue::Union(1, AvroValue::Array(std::move(offsets))),
        equality_ids.empty() ? AvroValue::Union(0, AvroValue::Null())
                             : AvroValue::Union(1, AvroValue::Array(std::move(equality_ids))),
        f.sort_order_id ? AvroValue::Union(1, AvroValue::Int(*f.sort_order_id))
                        : AvroValue::Union(0, AvroValue::Null()),
        OptionalString(f.referenced_data_file),
    };
    if (format_version >= 3) {
      fields.push_back(OptionalLong(f.first_row_id));
      fields.push_back(OptionalLong(f.content_offset));
      fields.push_back(OptionalLong(f.content_size_in_bytes));
    }
    AvroValue data_file = AvroValue::Record(std::move(fields));
    if (e.status == 1) {
      FLOE_RETURN_IF_ERROR(writer->Append(AvroValue::Record(
          {AvroValue::Int(1), OptionalLong(std::nullopt), OptionalLong(std::nullopt),
           OptionalLong(std::nullopt), std::move(data_file)})));
      *entry.added_files_count += 1;
      *entry.added_rows_count += f.record_count;
    } else {
      if (!e.sequence_number || !e.file_sequence_number) {
        return Status::InvalidArgument("{}: existing entry {} without sequence numbers", path,
                                       f.file_path);
      }
      // A DELETED entry's snapshot id is inherited: the snapshot that
      // deletes it, which the manifest list entry names.
      const bool deleted = e.status == 2;
      FLOE_RETURN_IF_ERROR(writer->Append(
          AvroValue::Record({AvroValue::Int(e.status),
                             OptionalLong(deleted ? std::nullopt : std::optional(e.snapshot_id)),
                             OptionalLong(e.sequence_number), OptionalLong(e.file_sequence_number),
                             std::move(data_file)})));
      if (deleted) {
        *entry.deleted_files_count += 1;
        *entry.deleted_rows_count += f.record_count;
      } else {
        *entry.existing_files_count += 1;
        *entry.existing_rows_count += f.record_count;
        entry.min_sequence_number = std::min(entry.min_sequence_number, *e.sequence_number);
      }
    }
  }
  FLOE_RETURN_IF_ERROR(writer->Close());
  for (size_t k = 0; k < lows.size(); ++k) {
    if (lows[k].length() == 1) entry.partitions[k].lower_bound = SingleValue(lows[k], 0);
    if (highs[k].length() == 1) entry.partitions[k].upper_bound = SingleValue(highs[k], 0);
  }
  FLOE_ASSIGN_OR_RETURN(auto written, io.OpenInput(path));
  entry.manifest_length = written->size();
  return entry;
}

void AssignRowLineage(Snapshot* snapshot, std::vector<ManifestFile>* manifests, TableMetadata* m) {
  if (m->format_version < 3) return;
  const int64_t first = m->next_row_id.value_or(0);
  int64_t next = first;
  for (ManifestFile& manifest : *manifests) {
    if (manifest.content != 0 || manifest.first_row_id) continue;
    manifest.first_row_id = next;
    next += manifest.added_rows_count.value_or(0) + manifest.existing_rows_count.value_or(0);
  }
  snapshot->first_row_id = first;
  snapshot->added_rows = next - first;
  m->next_row_id = next;
}

Status WriteManifestList(FileIO& io, const std::string& path, const Snapshot& snapshot,
                         const std::vector<ManifestFile>& manifests, int format_version) {
  const bool v3 = format_version >= 3;
  std::string schema_json = kManifestListSchema;
  if (v3) {
    schema_json.insert(schema_json.rfind(']'), std::string(",\n  ") + kManifestListV3Field);
  }
  FLOE_ASSIGN_OR_RETURN(avro::AvroSchema schema, avro::ParseAvroSchema(schema_json));
  avro::ContainerWriterOptions options;
  options.codec = avro::AvroCodec::kDeflate;
  options.metadata = {
      {"snapshot-id", std::to_string(snapshot.snapshot_id)},
      {"parent-snapshot-id",
       snapshot.parent_snapshot_id ? std::to_string(*snapshot.parent_snapshot_id) : "null"},
      {"sequence-number", std::to_string(snapshot.sequence_number)},
      {"format-version", v3 ? "3" : "2"}};
  FLOE_ASSIGN_OR_RETURN(auto out, io.Create(path));
  FLOE_ASSIGN_OR_RETURN(auto writer,
                        avro::ContainerWriter::Open(std::move(out), std::move(schema), options));
  for (const ManifestFile& m : manifests) {
    std::vector<AvroValue> summaries;
    for (const FieldSummary& s : m.partitions) {
      auto bytes = [](const std::optional<std::string>& b) {
        return b ? AvroValue::Union(1, AvroValue::Bytes(*b))
                 : AvroValue::Union(0, AvroValue::Null());
      };
      summaries.push_back(AvroValue::Record(
          {AvroValue::Boolean(s.contains_null),
           s.contains_nan ? AvroValue::Union(1, AvroValue::Boolean(*s.contains_nan))
                          : AvroValue::Union(0, AvroValue::Null()),
           bytes(s.lower_bound), bytes(s.upper_bound)}));
    }
    std::vector<AvroValue> fields = {
        AvroValue::String(m.manifest_path),
        AvroValue::Long(m.manifest_length),
        AvroValue::Int(m.partition_spec_id),
        AvroValue::Int(m.content),
        AvroValue::Long(m.sequence_number),
        AvroValue::Long(m.min_sequence_number),
        AvroValue::Long(m.added_snapshot_id),
        AvroValue::Int(m.added_files_count.value_or(0)),
        AvroValue::Int(m.existing_files_count.value_or(0)),
        AvroValue::Int(m.deleted_files_count.value_or(0)),
        AvroValue::Long(m.added_rows_count.value_or(0)),
        AvroValue::Long(m.existing_rows_count.value_or(0)),
        AvroValue::Long(m.deleted_rows_count.value_or(0)),
        AvroValue::Union(1, AvroValue::Array(std::move(summaries))),
        AvroValue::Union(0, AvroValue::Null()),
    };
    if (v3) fields.push_back(OptionalLong(m.first_row_id));
    FLOE_RETURN_IF_ERROR(writer->Append(AvroValue::Record(std::move(fields))));
  }
  return writer->Close();
}

}  // namespace floe::iceberg
