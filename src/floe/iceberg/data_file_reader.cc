#include "floe/iceberg/data_file_reader.h"

#include <algorithm>
#include <cstring>

#include "floe/format/parquet/file_reader.h"
#include "floe/iceberg/default_value.h"

namespace floe::iceberg {
namespace {

// INT96 timestamps (imported Spark and Hive files) decode to nanoseconds;
// the table's column counts microseconds, and Java reads them so too.
Column Int96ToMicros(const Column& nanos, const TypePtr& type) {
  Column out(type);
  const int64_t n = nanos.length();
  out.mutable_data().resize(static_cast<size_t>(n) * sizeof(int64_t));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = nanos.Value<int64_t>(i);
    const int64_t micros = v / 1000 - (v % 1000 < 0 ? 1 : 0);  // floor, as for instants
    std::memcpy(out.mutable_data().data() + i * 8, &micros, sizeof micros);
  }
  out.mutable_validity().assign(nanos.validity().begin(), nanos.validity().end());
  out.SetLength(n, nanos.null_count());
  return out;
}

}  // namespace

Status ReadDataFile(FileIO& io, const DataFile& file, const Schema& fields,
                    const NameMapping* mapping, int64_t batch_rows, const bool* stop,
                    const std::function<Status(RecordBatch)>& sink) {
  if (file.file_format != "PARQUET" && file.file_format != "parquet") {
    return Status::NotSupported("{}: {} data files are not supported", file.file_path,
                                file.file_format);
  }
  FLOE_ASSIGN_OR_RETURN(auto input, io.OpenInput(file.file_path));
  FLOE_ASSIGN_OR_RETURN(auto reader, parquet::FileReader::Open(std::move(input)));
  const parquet::FileSchema& file_schema = reader->file_schema();
  const auto& file_fields = file_schema.schema.fields();
  const bool by_name = !file_schema.has_field_ids && mapping != nullptr;
  const auto& wanted = fields.fields();
  parquet::ReadOptions read;
  read.batch_rows = batch_rows;
  std::vector<int> source(wanted.size(), -1);
  std::vector<bool> int96(wanted.size(), false);
  for (size_t i = 0; i < wanted.size(); ++i) {
    const std::vector<std::string>* names = by_name ? mapping->NamesOf(wanted[i].id) : nullptr;
    if (by_name && names == nullptr) continue;  // unmapped: missing from the file
    auto it = std::find_if(file_fields.begin(), file_fields.end(), [&](const NestedField& f) {
      return by_name ? std::find(names->begin(), names->end(), f.name) != names->end()
                     : f.id == wanted[i].id;
    });
    if (it == file_fields.end()) continue;
    if (by_name && it->type->is_nested()) {
      return Status::NotSupported(
          "{}: nested column {} in a file without field ids (name mapping of nested fields is "
          "not implemented yet)",
          file.file_path, wanted[i].name);
    }
    const int position = static_cast<int>(it - file_fields.begin());
    int96[i] = std::any_of(file_schema.leaves.begin(), file_schema.leaves.end(),
                           [&](const parquet::LeafColumn& l) {
                             return l.field_path == std::vector<int>{position} &&
                                    l.physical == parquet::PhysicalType::kInt96;
                           });
    source[i] = static_cast<int>(read.field_ids.size());
    read.field_ids.push_back(it->id);
  }
  if (read.field_ids.empty()) {
    // Nothing to read but the row count: one column of the file gives it.
    read.field_ids.push_back(file_fields.front().id);
  }
  FLOE_RETURN_IF_ERROR(reader->Select(read).status());
  while (true) {
    FLOE_ASSIGN_OR_RETURN(RecordBatch in, reader->Next());
    if (in.num_rows == 0) return Status::OK();
    RecordBatch batch = RecordBatch::Empty(fields);
    batch.num_rows = in.num_rows;
    for (size_t i = 0; i < wanted.size(); ++i) {
      if (source[i] >= 0) {
        Column& c = in.columns[static_cast<size_t>(source[i])];
        if (int96[i] && (wanted[i].type->id() == TypeId::kTimestampTz ||
                         wanted[i].type->id() == TypeId::kTimestamp)) {
          c = Int96ToMicros(c, wanted[i].type);
        }
        if (!(*c.type() == *wanted[i].type)) {
          return Status::NotSupported("{}: column {} is {} in the file and {} in the table",
                                      file.file_path, wanted[i].name, c.type()->ToString(),
                                      wanted[i].type->ToString());
        }
        batch.columns[i] = std::move(c);
      } else if (wanted[i].initial_default) {
        // A column added after the file was written (v3): its initial default.
        FLOE_ASSIGN_OR_RETURN(batch.columns[i], InitialDefaultColumn(wanted[i], in.num_rows));
      } else {
        if (wanted[i].required) {
          return Status::Corruption("{}: required column {} is missing", file.file_path,
                                    wanted[i].name);
        }
        for (int64_t r = 0; r < in.num_rows; ++r) batch.columns[i].AppendNull();
      }
    }
    FLOE_RETURN_IF_ERROR(sink(std::move(batch)));
    if (*stop) return Status::OK();
  }
}

}  // namespace floe::iceberg
