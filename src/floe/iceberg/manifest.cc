#include "floe/iceberg/manifest.h"

#include <nlohmann/json.hpp>

#include "floe/format/avro/avro_value_json.h"
#include "floe/format/avro/container_reader.h"
#include "floe/io/file_io.h"
#include "floe/util/decimal.h"

namespace floe::iceberg {
namespace {

using avro::AvroSchema;
using avro::AvroType;
using avro::AvroValue;

// A record value with its schema node, read by field name. Optional fields
// (unions with null) are unwrapped; missing and null fields read as absent,
// so v1 and v2 files read alike.
class RecordView {
 public:
  RecordView(const AvroSchema& schema, int node, const AvroValue& value)
      : schema_(schema), node_(node), value_(value) {}

  // The field's value and its (union-resolved) schema node, or nullopt.
  std::optional<std::pair<int, const AvroValue*>> Get(std::string_view name) const {
    const auto& fields = schema_.nodes[static_cast<size_t>(node_)].fields;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name == name) return GetAt(i);
    }
    return std::nullopt;
  }
  // The same for field `i` of the record.
  std::optional<std::pair<int, const AvroValue*>> GetAt(size_t i) const {
    const auto& fields = schema_.nodes[static_cast<size_t>(node_)].fields;
    if (i >= fields.size() || i >= value_.items.size()) return std::nullopt;
    int node = fields[i].node;
    const AvroValue* v = &value_.items[i];
    if (v->type == AvroType::kUnion) {
      node = schema_.nodes[static_cast<size_t>(node)].children[static_cast<size_t>(v->i)];
      v = &v->items[0];
    }
    if (v->type == AvroType::kNull) return std::nullopt;
    return std::pair{node, v};
  }

  std::optional<int64_t> Long(std::string_view name) const {
    auto f = Get(name);
    if (!f || (f->second->type != AvroType::kLong && f->second->type != AvroType::kInt))
      return std::nullopt;
    return f->second->i;
  }
  std::optional<std::string> Bytes(std::string_view name) const {
    auto f = Get(name);
    if (!f) return std::nullopt;
    return f->second->bytes;
  }
  std::optional<RecordView> Record(std::string_view name) const {
    auto f = Get(name);
    if (!f || f->second->type != AvroType::kRecord) return std::nullopt;
    return RecordView(schema_, f->first, *f->second);
  }
  // Elements of an array field, each with its node.
  std::vector<std::pair<int, const AvroValue*>> Array(std::string_view name) const {
    std::vector<std::pair<int, const AvroValue*>> out;
    auto f = Get(name);
    if (!f || f->second->type != AvroType::kArray) return out;
    const int element = schema_.nodes[static_cast<size_t>(f->first)].children[0];
    for (const AvroValue& e : f->second->items) out.emplace_back(element, &e);
    return out;
  }

  const AvroSchema& schema() const { return schema_; }
  int node() const { return node_; }
  const AvroValue& value() const { return value_; }

 private:
  const AvroSchema& schema_;
  int node_;
  const AvroValue& value_;
};

// Iceberg's int -> long / int -> bytes maps are arrays of {key, value} records.
template <typename V, typename F>
std::map<int32_t, V> IdMap(const RecordView& r, std::string_view name, F&& value_of) {
  std::map<int32_t, V> out;
  for (const auto& [node, element] : r.Array(name)) {
    RecordView kv(r.schema(), node, *element);
    auto key = kv.Long("key");
    auto v = kv.Get("value");
    if (key && v) out[static_cast<int32_t>(*key)] = value_of(*v->second);
  }
  return out;
}

template <typename F>
Status ForEachRecord(FileIO& io, const std::string& path, F&& f) {
  FLOE_ASSIGN_OR_RETURN(auto file, io.OpenInput(path));
  auto reader = avro::ContainerReader::Open(std::move(file));
  if (!reader.ok()) return reader.status();  // names the file already
  const AvroSchema& schema = (*reader)->schema();
  if (schema.nodes[static_cast<size_t>(schema.root)].type != AvroType::kRecord) {
    return Status::Corruption("{}: records expected", path);
  }
  AvroValue value;
  while (true) {
    auto more = (*reader)->Next(&value);
    if (!more.ok()) return more.status();
    if (!*more) return Status::OK();
    FLOE_RETURN_IF_ERROR(f(RecordView(schema, schema.root, value)));
  }
}

Status Required(const std::string& path, std::string_view field, bool present) {
  if (!present) return Status::Corruption("{}: entry without \"{}\"", path, field);
  return Status::OK();
}

}  // namespace

Result<std::vector<ManifestFile>> ReadManifestList(FileIO& io, const std::string& path) {
  std::vector<ManifestFile> out;
  FLOE_RETURN_IF_ERROR(ForEachRecord(io, path, [&](const RecordView& r) -> Status {
    ManifestFile m;
    auto manifest_path = r.Bytes("manifest_path");
    auto length = r.Long("manifest_length");
    auto spec = r.Long("partition_spec_id");
    auto added_snapshot = r.Long("added_snapshot_id");
    FLOE_RETURN_IF_ERROR(Required(path, "manifest_path", manifest_path.has_value()));
    FLOE_RETURN_IF_ERROR(Required(path, "manifest_length", length.has_value()));
    FLOE_RETURN_IF_ERROR(Required(path, "partition_spec_id", spec.has_value()));
    m.manifest_path = *manifest_path;
    m.manifest_length = *length;
    m.partition_spec_id = static_cast<int32_t>(*spec);
    m.added_snapshot_id = added_snapshot.value_or(0);
    m.content = static_cast<int32_t>(r.Long("content").value_or(0));
    m.sequence_number = r.Long("sequence_number").value_or(0);  // v1: 0
    m.min_sequence_number = r.Long("min_sequence_number").value_or(0);
    auto count = [&](std::string_view v2, std::string_view v1) {
      auto c = r.Long(v2);
      return c ? c : r.Long(v1);
    };
    auto as32 = [](std::optional<int64_t> v) {
      return v ? std::optional<int32_t>(static_cast<int32_t>(*v)) : std::nullopt;
    };
    m.added_files_count = as32(count("added_files_count", "added_data_files_count"));
    m.existing_files_count = as32(count("existing_files_count", "existing_data_files_count"));
    m.deleted_files_count = as32(count("deleted_files_count", "deleted_data_files_count"));
    m.added_rows_count = r.Long("added_rows_count");
    m.existing_rows_count = r.Long("existing_rows_count");
    m.deleted_rows_count = r.Long("deleted_rows_count");
    m.first_row_id = r.Long("first_row_id");
    for (const auto& [node, element] : r.Array("partitions")) {
      RecordView s(r.schema(), node, *element);
      FieldSummary summary;
      auto contains_null = s.Get("contains_null");
      summary.contains_null = contains_null && contains_null->second->i != 0;
      if (auto nan = s.Get("contains_nan")) summary.contains_nan = nan->second->i != 0;
      summary.lower_bound = s.Bytes("lower_bound");
      summary.upper_bound = s.Bytes("upper_bound");
      m.partitions.push_back(std::move(summary));
    }
    out.push_back(std::move(m));
    return Status::OK();
  }));
  return out;
}

namespace {

// The value of one partition field as a slot of `out` (a column of the
// field's Iceberg type): Avro ints and longs, floats and doubles, and bytes of
// text, binary, fixed, uuid and decimal values.
Status AppendPartitionValue(const AvroValue& v, Column* out) {
  switch (out->type()->id()) {
    case TypeId::kBoolean:
      if (v.type != AvroType::kBoolean) break;
      out->Append<uint8_t>(v.i != 0 ? 1 : 0);
      return Status::OK();
    case TypeId::kInt:
    case TypeId::kDate:
      if (v.type != AvroType::kInt) break;
      out->Append(static_cast<int32_t>(v.i));
      return Status::OK();
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      if (v.type != AvroType::kInt && v.type != AvroType::kLong) break;
      out->Append<int64_t>(v.i);
      return Status::OK();
    case TypeId::kFloat:
      if (v.type != AvroType::kFloat) break;
      out->Append(static_cast<float>(v.d));
      return Status::OK();
    case TypeId::kDouble:
      if (v.type != AvroType::kFloat && v.type != AvroType::kDouble) break;
      out->Append(v.d);
      return Status::OK();
    case TypeId::kDecimal: {
      if (v.bytes.empty() || v.bytes.size() > 16) break;
      FLOE_ASSIGN_OR_RETURN(Int128 unscaled, DecimalFromBigEndian(v.bytes));
      out->Append(unscaled);
      return Status::OK();
    }
    case TypeId::kUuid:
    case TypeId::kFixed:
      if (static_cast<int64_t>(v.bytes.size()) != FixedWidth(*out->type())) break;
      out->AppendBytes(v.bytes);
      return Status::OK();
    case TypeId::kString:
    case TypeId::kBinary:
      if (v.type != AvroType::kString && v.type != AvroType::kBytes) break;
      out->AppendBytes(v.bytes);
      return Status::OK();
    default:
      break;
  }
  return Status::Corruption("a partition value of Avro type {} cannot be a {}",
                            avro::AvroTypeName(v.type), out->type()->ToString());
}

// How a manifest's partition record lines up with the spec's partition
// type: for each partition field, the index of its Avro field (matched by
// field id, else by name; -1 when absent), and for each Avro field the name
// to show (the spec's: writers may sanitize Avro names, "st_x2Ecity" for
// "st.city"). Worked out once per manifest.
struct PartitionLayout {
  std::vector<int> avro_index;
  std::vector<std::string> names;

  static PartitionLayout Of(const avro::AvroNode& record, const Type* partition_type) {
    PartitionLayout layout;
    for (const avro::AvroField& f : record.fields) layout.names.push_back(f.name);
    if (partition_type == nullptr) return layout;
    for (const NestedField& field : partition_type->fields()) {
      const std::string id = std::to_string(field.id);
      int by_id = -1, by_name = -1;
      for (size_t i = 0; i < record.fields.size(); ++i) {
        const avro::AvroField& f = record.fields[i];
        if (f.name == field.name) by_name = static_cast<int>(i);
        for (const avro::Attribute& a : f.attributes) {
          if (a.key == "field-id" && a.json == id) by_id = static_cast<int>(i);
        }
      }
      const int index = by_id >= 0 ? by_id : by_name;
      layout.avro_index.push_back(index);
      if (index >= 0) layout.names[static_cast<size_t>(index)] = field.name;
    }
    return layout;
  }
};

// The typed partition tuple of `partition` (the data file's partition record).
Status ReadPartitionTuple(const RecordView& partition, const Type& partition_type,
                          const PartitionLayout& layout, std::vector<Column>* out) {
  const auto& fields = partition_type.fields();
  for (size_t k = 0; k < fields.size(); ++k) {
    Column& column = out->emplace_back(fields[k].type);
    const int index = layout.avro_index[k];
    auto value = index >= 0 ? partition.GetAt(static_cast<size_t>(index)) : std::nullopt;
    if (!value) {
      column.AppendNull();
      continue;
    }
    Status s = AppendPartitionValue(*value->second, &column);
    if (!s.ok()) return s.WithContext("partition field " + fields[k].name);
  }
  return Status::OK();
}

// The partition record as a JSON object, keyed by the layout's names.
std::string PartitionJson(const RecordView& partition, const PartitionLayout& layout) {
  const avro::AvroNode& node = partition.schema().nodes[static_cast<size_t>(partition.node())];
  std::string out = "{";
  for (size_t i = 0; i < node.fields.size() && i < partition.value().items.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += nlohmann::json(layout.names[i])
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out.push_back(':');
    avro::AppendAvroJson(partition.schema(), node.fields[i].node, partition.value().items[i], &out);
  }
  out.push_back('}');
  return out;
}

}  // namespace

Result<std::vector<ManifestEntry>> ReadManifest(FileIO& io, const ManifestFile& manifest,
                                                const TypePtr& partition_type,
                                                const EntryFilter& filter) {
  std::vector<ManifestEntry> out;
  const std::string& path = manifest.manifest_path;
  std::optional<PartitionLayout> layout;  // every record of the file has the same schema
  // The first row id the next data file without one inherits: files take
  // consecutive ranges in manifest order, skipped entries included.
  const bool inherit_row_ids = manifest.content == 0 && manifest.first_row_id.has_value();
  int64_t next_row_id = manifest.first_row_id.value_or(0);
  FLOE_RETURN_IF_ERROR(ForEachRecord(io, path, [&](const RecordView& r) -> Status {
    ManifestEntry e;
    auto status = r.Long("status");
    auto file = r.Record("data_file");
    FLOE_RETURN_IF_ERROR(Required(path, "status", status.has_value()));
    FLOE_RETURN_IF_ERROR(Required(path, "data_file", file.has_value()));
    e.status = static_cast<int32_t>(*status);
    // Inheritance (spec "Sequence Number Inheritance"): null snapshot ids come
    // from the manifest; null sequence numbers too, for added entries only.
    e.snapshot_id = r.Long("snapshot_id").value_or(manifest.added_snapshot_id);
    e.sequence_number = r.Long("sequence_number");
    e.file_sequence_number = r.Long("file_sequence_number");
    if (e.status == 1) {
      if (!e.sequence_number) e.sequence_number = manifest.sequence_number;
      if (!e.file_sequence_number) e.file_sequence_number = manifest.sequence_number;
    }
    DataFile& f = e.data_file;
    auto partition = file->Record("partition");
    if (partition && !layout) {
      layout = PartitionLayout::Of(
          partition->schema().nodes[static_cast<size_t>(partition->node())], partition_type.get());
    }
    if (partition_type != nullptr) {
      FLOE_RETURN_IF_ERROR(Required(path, "data_file.partition", partition.has_value()));
      Status s = ReadPartitionTuple(*partition, *partition_type, *layout, &f.partition);
      if (!s.ok()) return s.WithContext(path);
    }
    f.first_row_id = file->Long("first_row_id");
    f.record_count = file->Long("record_count").value_or(0);
    if (inherit_row_ids && !f.first_row_id) {
      f.first_row_id = next_row_id;
      next_row_id += f.record_count;
    }
    // Planning skips most entries: decide before decoding the rest.
    if (filter && !filter(e.status, f.partition)) return Status::OK();
    f.content = static_cast<int32_t>(file->Long("content").value_or(0));
    f.spec_id = manifest.partition_spec_id;
    auto file_path = file->Bytes("file_path");
    FLOE_RETURN_IF_ERROR(Required(path, "data_file.file_path", file_path.has_value()));
    f.file_path = *file_path;
    f.file_format = file->Bytes("file_format").value_or("");
    f.partition_json = partition ? PartitionJson(*partition, *layout) : "{}";
    f.file_size_in_bytes = file->Long("file_size_in_bytes").value_or(0);
    auto as_long = [](const AvroValue& v) { return v.i; };
    auto as_bytes = [](const AvroValue& v) { return v.bytes; };
    f.column_sizes = IdMap<int64_t>(*file, "column_sizes", as_long);
    f.value_counts = IdMap<int64_t>(*file, "value_counts", as_long);
    f.null_value_counts = IdMap<int64_t>(*file, "null_value_counts", as_long);
    f.nan_value_counts = IdMap<int64_t>(*file, "nan_value_counts", as_long);
    f.lower_bounds = IdMap<std::string>(*file, "lower_bounds", as_bytes);
    f.upper_bounds = IdMap<std::string>(*file, "upper_bounds", as_bytes);
    for (const auto& [node, offset] : file->Array("split_offsets"))
      f.split_offsets.push_back(offset->i);
    for (const auto& [node, id] : file->Array("equality_ids"))
      f.equality_ids.push_back(static_cast<int32_t>(id->i));
    if (auto order = file->Long("sort_order_id")) f.sort_order_id = static_cast<int32_t>(*order);
    f.referenced_data_file = file->Bytes("referenced_data_file");
    f.content_offset = file->Long("content_offset");
    f.content_size_in_bytes = file->Long("content_size_in_bytes");
    out.push_back(std::move(e));
    return Status::OK();
  }));
  return out;
}

}  // namespace floe::iceberg
