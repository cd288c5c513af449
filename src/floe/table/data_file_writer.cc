#include "floe/table/data_file_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "floe/columnar/text_reader.h"
#include "floe/format/parquet/file_reader.h"
#include "floe/format/parquet/iceberg_metrics.h"
#include "floe/iceberg/table_builder.h"
#include "floe/io/file.h"

namespace floe::table {
namespace {

// Rows collected per partition before they go to the encoder, unless their
// values reach kBatchBytes first (a column's 32-bit offsets stay far from
// their limit, and memory stays countable).
constexpr int64_t kBatchRows = 64 * 1024;
constexpr int64_t kBatchBytes = int64_t{16} << 20;
constexpr int64_t kBytesCheckRows = 1024;

int64_t ValueBytes(const Column& c) {
  int64_t total = static_cast<int64_t>(c.data().size() + c.offsets().size_bytes());
  for (size_t i = 0; i < c.num_children(); ++i) total += ValueBytes(c.child(i));
  return total;
}

int64_t ValueBytes(const RecordBatch& batch) {
  int64_t total = 0;
  for (const Column& c : batch.columns) total += ValueBytes(c);
  return total;
}

}  // namespace

Result<std::unique_ptr<DataFileWriter>> DataFileWriter::Open(FileIO& io,
                                                             const iceberg::TableMetadata& m,
                                                             const iceberg::PartitionSpec& spec) {
  FLOE_ASSIGN_OR_RETURN(DataWriteOptions options,
                        DataWriteOptions::FromProperties(m.properties, *m.CurrentSchema()));
  return std::make_unique<DataFileWriter>(io, m, spec, std::move(options));
}

DataFileWriter::DataFileWriter(FileIO& io, const iceberg::TableMetadata& m,
                               const iceberg::PartitionSpec& spec, DataWriteOptions options)
    : io_(io),
      metadata_(m),
      spec_(spec),
      schema_(*m.CurrentSchema()),
      options_(std::move(options)),
      // A file is measured between flushes: small targets flush more often.
      batch_bytes_(std::min(kBatchBytes, options_.target_file_bytes / 8)),
      pool_(DefaultWorkerThreads()) {
  options_.parquet.pool = &pool_;
  options_.max_open_files = std::max<size_t>(options_.max_open_files, 1);
}

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
  auto key_of = [&](int64_t r, std::string* key) {
    key->clear();
    for (const Column& v : values) {
      const std::string_view b = v.IsValid(r) ? v.Bytes(r) : std::string_view();
      *key += v.IsValid(r) ? "1" : "0";
      *key += std::to_string(b.size());
      *key += ':';
      *key += b;
    }
  };
  // Rows go in runs of one partition (an unpartitioned table's batch is one
  // run), each column copied a run at a time.
  std::string key, next;
  for (int64_t r = 0; r < batch.num_rows;) {
    key_of(r, &key);
    int64_t end = values.empty() ? batch.num_rows : r + 1;
    for (; end < batch.num_rows; ++end) {
      key_of(end, &next);
      if (next != key) break;
    }
    auto it = partitions_.find(key);
    if (it == partitions_.end()) {
      FLOE_ASSIGN_OR_RETURN(Partition p, NewPartition(values, sources, r));
      it = partitions_.emplace(key, std::move(p)).first;
    }
    Partition& p = it->second;
    while (r < end) {
      // Up to the next row count at which sizes are checked.
      const int64_t held = p.pending.num_rows;
      const int64_t take =
          std::min({end - r, kBytesCheckRows - held % kBytesCheckRows, kBatchRows - held});
      for (size_t c = 0; c < batch.columns.size(); ++c)
        p.pending.columns[c].AppendRange(batch.columns[c], r, r + take);
      r += take;
      const int64_t rows = p.pending.num_rows += take;
      if (rows % kBytesCheckRows == 0) {
        p.pending_bytes = ValueBytes(p.pending);
        FLOE_RETURN_IF_ERROR(KeepWithinBudget());
      }
      if (rows >= kBatchRows || p.pending_bytes >= batch_bytes_) FLOE_RETURN_IF_ERROR(Flush(p));
    }
  }
  return Status::OK();
}

Status DataFileWriter::Add(RecordBatch&& batch) {
  if (!spec_.fields.empty() || batch.num_rows == 0)
    return Add(static_cast<const RecordBatch&>(batch));
  auto it = partitions_.find("");
  if (it == partitions_.end()) {
    FLOE_ASSIGN_OR_RETURN(Partition p, NewPartition({}, {}, 0));
    it = partitions_.emplace("", std::move(p)).first;
  }
  Partition& p = it->second;
  if (p.pending.num_rows > 0) return Add(static_cast<const RecordBatch&>(batch));
  p.pending = std::move(batch);
  p.pending_bytes = ValueBytes(p.pending);
  FLOE_RETURN_IF_ERROR(KeepWithinBudget());
  if (p.pending.num_rows >= kBatchRows || p.pending_bytes >= batch_bytes_) return Flush(p);
  return Status::OK();
}

Status DataFileWriter::KeepWithinBudget() {
  while (true) {
    int64_t held = 0;
    Partition *most_pending = nullptr, *most_buffered = nullptr;
    for (auto& [key, p] : partitions_) {
      const int64_t buffered = p.writer ? p.writer->buffered_bytes() : 0;
      held += buffered + p.pending_bytes;
      if (most_pending == nullptr || p.pending_bytes > most_pending->pending_bytes)
        most_pending = &p;
      if (buffered > 0 &&
          (most_buffered == nullptr || buffered > most_buffered->writer->buffered_bytes())) {
        most_buffered = &p;
      }
    }
    if (held <= options_.max_buffered_bytes) return Status::OK();
    // Encoded row groups are the larger part: write the biggest out first.
    if (most_buffered != nullptr) {
      FLOE_RETURN_IF_ERROR(most_buffered->writer->CutRowGroup());
    } else if (most_pending != nullptr && most_pending->pending.num_rows > 0) {
      FLOE_RETURN_IF_ERROR(Flush(*most_pending));
    } else {
      return Status::OK();
    }
  }
}

Result<std::vector<iceberg::DataFile>> DataFileWriter::Finish() {
  for (auto& [key, p] : partitions_) {
    FLOE_RETURN_IF_ERROR(Flush(p));
    if (p.writer) FLOE_RETURN_IF_ERROR(CloseFile(p));
  }
  partitions_.clear();
  return std::move(finished_);
}

Status DataFileWriter::CloseFile(Partition& p) {
  FLOE_RETURN_IF_ERROR(p.writer->Close());
  parquet::DataFileMetrics metrics =
      parquet::MetricsFromWriter(*p.writer, LongestBoundNeeded(options_));
  ApplyMetricsModes(options_, schema_, &metrics);
  iceberg::DataFile file;
  file.file_path = p.path;
  file.file_format = "PARQUET";
  SetFileMetrics(metrics, &file);
  for (const auto& group : p.writer->metadata().row_groups) {
    if (group.file_offset) file.split_offsets.push_back(*group.file_offset);
  }
  for (const Column& k : p.key) {  // the partition keeps its key for its next file
    Column copy(k.type());
    copy.AppendFrom(k, 0);
    file.partition.push_back(std::move(copy));
  }
  file.spec_id = spec_.spec_id;
  finished_.push_back(std::move(file));
  p.writer.reset();
  p.path.clear();
  --open_files_;
  return Status::OK();
}

Result<DataFileWriter::Partition> DataFileWriter::NewPartition(
    const std::vector<Column>& values, const std::vector<const NestedField*>& sources,
    int64_t row) {
  Partition p;
  p.dir = metadata_.location + "/data";
  for (size_t k = 0; k < values.size(); ++k) {
    Column one(values[k].type());
    one.AppendFrom(values[k], row);
    const iceberg::PartitionField& f = spec_.fields[k];
    p.dir.push_back('/');  // (appends, not operator+: GCC 12 warns falsely on the temporary)
    p.dir +=
        iceberg::PartitionPathSegment(f.name, f.transform.HumanString(*sources[k]->type, one, 0));
    p.key.push_back(std::move(one));
  }
  p.pending = RecordBatch::Empty(schema_);
  return p;
}

Status DataFileWriter::Flush(Partition& p) {
  if (p.pending.num_rows == 0) return Status::OK();
  if (!p.writer) {
    if (open_files_ >= options_.max_open_files) {
      // Too many files open: finish the one that got rows least recently
      // (its partition gets another file when more of its rows come).
      Partition* oldest = nullptr;
      for (auto& [key, other] : partitions_) {
        if (other.writer && (oldest == nullptr || other.last_used < oldest->last_used)) {
          oldest = &other;
        }
      }
      if (oldest != nullptr) FLOE_RETURN_IF_ERROR(CloseFile(*oldest));
    }
    p.path = fmt::format("{}/{:05d}-{}.parquet", p.dir, finished_.size() + open_files_,
                         iceberg::NewUuid());
    FLOE_ASSIGN_OR_RETURN(auto out, io_.Create(p.path));
    FLOE_ASSIGN_OR_RETURN(p.writer,
                          parquet::FileWriter::Open(std::move(out), schema_, options_.parquet));
    ++open_files_;
  }
  p.last_used = ++flushes_;
  FLOE_RETURN_IF_ERROR(p.writer->Write(p.pending));
  p.pending = RecordBatch::Empty(schema_);
  p.pending_bytes = 0;
  if (p.writer->position() + p.writer->buffered_bytes() >= options_.target_file_bytes) {
    FLOE_RETURN_IF_ERROR(CloseFile(p));  // the partition's next rows start a new file
  }
  return Status::OK();
}

// Reads an input file into batches of the table schema.
Status ReadInput(const std::string& path, const Schema& schema, DataFileWriter* out) {
  if (path.ends_with(".parquet")) {
    FLOE_ASSIGN_OR_RETURN(auto file, LocalFileIO().OpenInput(path));
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

}  // namespace floe::table
