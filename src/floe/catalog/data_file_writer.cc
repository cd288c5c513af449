#include "floe/catalog/data_file_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "floe/columnar/text_reader.h"
#include "floe/format/parquet/file_reader.h"
#include "floe/format/parquet/iceberg_metrics.h"
#include "floe/iceberg/table_builder.h"
#include "floe/io/file.h"

namespace floe::catalog {
namespace {

constexpr int64_t kBatchRows = 64 * 1024;
// Open data files at most (each holds a file descriptor and its buffers).
constexpr size_t kMaxOpenFiles = 100;

}  // namespace

DataFileWriter::DataFileWriter(const iceberg::TableMetadata& m, const iceberg::PartitionSpec& spec)
    : metadata_(m), spec_(spec), schema_(*m.CurrentSchema()) {}

Status DataFileWriter::Add(const RecordBatch& batch) {
  // Partition values for the whole batch, one column per partition field.
  std::vector<Column> values;
  std::vector<const NestedField*> sources;
  for (const iceberg::PartitionField& f : spec_.fields) {
    const NestedField* source = schema_.FindById(f.source_id);
    size_t index = 0;  // partition sources are top-level columns here
    while (index < schema_.fields().size() && schema_.fields()[index].id != f.source_id) ++index;
    if (index == schema_.fields().size()) {
      return Status::NotSupported("partition field {}: source field {} is not a top-level column",
                                  f.name, f.source_id);
    }
    FLOE_ASSIGN_OR_RETURN(TypePtr type, f.transform.ResultType(source->type));
    Column out(type);
    FLOE_RETURN_IF_ERROR(f.transform.Apply(batch.columns[index], &out));
    values.push_back(std::move(out));
    sources.push_back(source);
  }
  for (int64_t r = 0; r < batch.num_rows; ++r) {
    std::string key;
    for (const Column& v : values) {
      key += v.IsValid(r) ? "1" : "0";
      const std::string_view b = v.IsValid(r) ? v.Bytes(r) : std::string_view();
      key += fmt::format("{}:", b.size());
      key += b;
    }
    auto it = writers_.find(key);
    if (it == writers_.end()) {
      if (writers_.size() >= kMaxOpenFiles) {
        // Too many partitions at once: finish the least recently used file
        // (its partition gets another file if more of its rows come).
        auto oldest = std::min_element(writers_.begin(), writers_.end(), [](auto& a, auto& b) {
          return a.second.last_used < b.second.last_used;
        });
        FLOE_RETURN_IF_ERROR(Close(oldest->second));
        writers_.erase(oldest);
      }
      FLOE_ASSIGN_OR_RETURN(PartitionWriter w, Open(values, sources, r));
      it = writers_.emplace(key, std::move(w)).first;
    }
    PartitionWriter& w = it->second;
    w.last_used = ++rows_routed_;
    for (size_t c = 0; c < batch.columns.size(); ++c)
      w.pending.columns[c].AppendFrom(batch.columns[c], r);
    if (++w.pending.num_rows >= kBatchRows) FLOE_RETURN_IF_ERROR(Flush(w));
  }
  return Status::OK();
}

Result<std::vector<iceberg::DataFile>> DataFileWriter::Finish() {
  for (auto& [key, w] : writers_) FLOE_RETURN_IF_ERROR(Close(w));
  writers_.clear();
  return std::move(finished_);
}

Status DataFileWriter::Close(PartitionWriter& w) {
  FLOE_RETURN_IF_ERROR(Flush(w));
  FLOE_RETURN_IF_ERROR(w.writer->Close());
  const parquet::DataFileMetrics metrics = parquet::MetricsFromWriter(*w.writer);
  iceberg::DataFile file;
  file.file_path = w.path;
  file.file_format = "PARQUET";
  file.record_count = metrics.record_count;
  file.file_size_in_bytes = metrics.file_size_in_bytes;
  file.column_sizes = metrics.column_sizes;
  file.value_counts = metrics.value_counts;
  file.null_value_counts = metrics.null_value_counts;
  file.nan_value_counts = metrics.nan_value_counts;
  file.lower_bounds = metrics.lower_bounds;
  file.upper_bounds = metrics.upper_bounds;
  for (const auto& group : w.writer->metadata().row_groups) {
    if (group.file_offset) file.split_offsets.push_back(*group.file_offset);
  }
  file.partition = std::move(w.key);
  finished_.push_back(std::move(file));
  return Status::OK();
}

Result<DataFileWriter::PartitionWriter> DataFileWriter::Open(
    const std::vector<Column>& values, const std::vector<const NestedField*>& sources,
    int64_t row) {
  PartitionWriter w;
  std::string dir = LocalPath(metadata_.location) + "/data";
  for (size_t k = 0; k < values.size(); ++k) {
    Column one(values[k].type());
    one.AppendFrom(values[k], row);
    const iceberg::PartitionField& f = spec_.fields[k];
    dir.push_back('/');  // (appends, not operator+: GCC 12 warns falsely on the temporary)
    dir +=
        iceberg::PartitionPathSegment(f.name, f.transform.HumanString(*sources[k]->type, one, 0));
    w.key.push_back(std::move(one));
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("{}: {}", dir, ec.message());
  w.path = fmt::format("{}/{:05d}-{}.parquet", dir, writers_.size(), iceberg::NewUuid());
  FLOE_ASSIGN_OR_RETURN(auto out, CreateLocalOutputFile(w.path));
  FLOE_ASSIGN_OR_RETURN(w.writer, parquet::FileWriter::Open(std::move(out), schema_));
  w.pending = RecordBatch::Empty(schema_);
  return w;
}

Status DataFileWriter::Flush(PartitionWriter& w) {
  if (w.pending.num_rows == 0) return Status::OK();
  FLOE_RETURN_IF_ERROR(w.writer->Write(w.pending));
  w.pending = RecordBatch::Empty(schema_);
  return Status::OK();
}

// Reads an input file into batches of the table schema.
Status ReadInput(const std::string& path, const Schema& schema, DataFileWriter* out) {
  if (path.ends_with(".parquet")) {
    FLOE_ASSIGN_OR_RETURN(auto file, OpenLocalInputFile(path));
    FLOE_ASSIGN_OR_RETURN(auto reader, parquet::FileReader::Open(std::move(file)));
    std::vector<std::string> names;
    for (const NestedField& f : schema.fields()) names.push_back(f.name);
    const auto& file_fields = reader->file_schema().schema.fields();
    parquet::ReadOptions options;
    std::vector<int> source;
    for (const NestedField& f : schema.fields()) {
      auto it = std::find_if(file_fields.begin(), file_fields.end(),
                             [&](const NestedField& g) { return g.name == f.name; });
      if (it == file_fields.end()) {
        if (f.required)
          return Status::InvalidArgument("{}: required column {} is missing", path, f.name);
        source.push_back(-1);
        continue;
      }
      if (!(*it->type == *f.type) && it->type->ToString() != f.type->ToString()) {
        return Status::InvalidArgument("{}: column {} is {}, the table has {}", path, f.name,
                                       it->type->ToString(), f.type->ToString());
      }
      source.push_back(static_cast<int>(options.columns.size()));
      options.columns.push_back(f.name);
    }
    FLOE_RETURN_IF_ERROR(reader->Select(options).status());
    while (true) {
      FLOE_ASSIGN_OR_RETURN(RecordBatch in, reader->Next());
      if (in.num_rows == 0) return Status::OK();
      RecordBatch batch = RecordBatch::Empty(schema);
      batch.num_rows = in.num_rows;
      for (size_t i = 0; i < source.size(); ++i) {
        if (source[i] < 0) {
          for (int64_t r = 0; r < in.num_rows; ++r) batch.columns[i].AppendNull();
        } else {
          // Same layout, but the table's field ids: copy slot by slot.
          const Column& c = in.columns[static_cast<size_t>(source[i])];
          for (int64_t r = 0; r < in.num_rows; ++r) batch.columns[i].AppendFrom(c, r);
        }
      }
      FLOE_RETURN_IF_ERROR(out->Add(batch));
    }
  }
  FLOE_ASSIGN_OR_RETURN(TextFormat format, TextFormatOf(path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("{}: cannot open", path);
  return ReadTextRows(in, path, format, schema,
                      [&](const RecordBatch& batch) { return out->Add(batch); });
}

}  // namespace floe::catalog
