#include "floe/catalog/table_append.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "floe/columnar/text_reader.h"
#include "floe/format/parquet/file_reader.h"
#include "floe/format/parquet/file_writer.h"
#include "floe/format/parquet/iceberg_metrics.h"
#include "floe/iceberg/manifest_writer.h"
#include "floe/iceberg/table_builder.h"
#include "floe/iceberg/table_update.h"
#include "floe/io/file.h"

namespace floe::catalog {
namespace {

constexpr int64_t kBatchRows = 64 * 1024;

// Rows of one partition on their way into one data file.
struct PartitionWriter {
  std::vector<Column> key;  // the partition tuple, one one-row column per field
  std::string path;
  std::unique_ptr<parquet::FileWriter> writer;
  RecordBatch pending;
};

class DataFileWriter {
 public:
  DataFileWriter(const iceberg::TableMetadata& m, const iceberg::PartitionSpec& spec)
      : metadata_(m), spec_(spec), schema_(*m.CurrentSchema()) {}

  // Routes each row of `batch` (in the table schema) to its partition's file.
  Status Add(const RecordBatch& batch) {
    // Partition values for the whole batch, one column per partition field.
    std::vector<Column> values;
    std::vector<const NestedField*> sources;
    for (const iceberg::PartitionField& f : spec_.fields) {
      const NestedField* source = schema_.FindById(f.source_id);
      size_t index = 0;
      while (schema_.fields()[index].id != f.source_id)
        ++index;  // partition sources are top-level here
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
        FLOE_ASSIGN_OR_RETURN(PartitionWriter w, Open(values, sources, r));
        it = writers_.emplace(key, std::move(w)).first;
      }
      PartitionWriter& w = it->second;
      for (size_t c = 0; c < batch.columns.size(); ++c)
        w.pending.columns[c].AppendFrom(batch.columns[c], r);
      if (++w.pending.num_rows >= kBatchRows) FLOE_RETURN_IF_ERROR(Flush(w));
    }
    return Status::OK();
  }

  Result<std::vector<iceberg::DataFile>> Finish() {
    std::vector<iceberg::DataFile> files;
    for (auto& [key, w] : writers_) {
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
      files.push_back(std::move(file));
    }
    writers_.clear();
    return files;
  }

 private:
  Result<PartitionWriter> Open(const std::vector<Column>& values,
                               const std::vector<const NestedField*>& sources, int64_t row) {
    PartitionWriter w;
    std::string dir = LocalPath(metadata_.location) + "/data";
    for (size_t k = 0; k < values.size(); ++k) {
      Column one(values[k].type());
      one.AppendFrom(values[k], row);
      const iceberg::PartitionField& f = spec_.fields[k];
      dir += "/" + iceberg::PartitionPathSegment(
                       f.name, f.transform.HumanString(*sources[k]->type, one, 0));
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

  Status Flush(PartitionWriter& w) {
    if (w.pending.num_rows == 0) return Status::OK();
    FLOE_RETURN_IF_ERROR(w.writer->Write(w.pending));
    w.pending = RecordBatch::Empty(schema_);
    return Status::OK();
  }

  const iceberg::TableMetadata& metadata_;
  const iceberg::PartitionSpec& spec_;
  const Schema& schema_;
  std::map<std::string, PartitionWriter> writers_;
};

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

std::string SummaryAdd(const std::map<std::string, std::string>& parent, const char* key,
                       int64_t added) {
  int64_t base = 0;
  if (auto it = parent.find(key); it != parent.end())
    base = std::strtoll(it->second.c_str(), nullptr, 10);
  return std::to_string(base + added);
}

}  // namespace

Result<AppendResult> AppendFiles(Catalog& catalog, const TableIdentifier& id,
                                 const std::vector<std::string>& inputs) {
  // Write the data files and the manifest against the current metadata.
  FLOE_ASSIGN_OR_RETURN(std::string location, catalog.LoadTable(id));
  FLOE_ASSIGN_OR_RETURN(std::string text, ReadLocalFile(LocalPath(location)));
  auto base = iceberg::TableMetadataFromJson(text);
  if (!base.ok()) return base.status().WithContext(location);
  const iceberg::PartitionSpec spec = *base->DefaultSpec();
  const int32_t schema_id = base->current_schema_id;
  DataFileWriter writer(*base, spec);
  for (const std::string& input : inputs)
    FLOE_RETURN_IF_ERROR(ReadInput(input, *base->CurrentSchema(), &writer));
  FLOE_ASSIGN_OR_RETURN(std::vector<iceberg::DataFile> files, writer.Finish());
  const std::string table_dir = LocalPath(base->location);
  const std::string manifest_path =
      fmt::format("{}/metadata/{}-m0.avro", table_dir, iceberg::NewUuid());
  FLOE_ASSIGN_OR_RETURN(iceberg::ManifestFile manifest,
                        iceberg::WriteManifest(manifest_path, *base, spec, files));
  int64_t added_bytes = 0;
  for (const iceberg::DataFile& f : files) added_bytes += f.file_size_in_bytes;

  AppendResult result;
  result.data_files = static_cast<int64_t>(files.size());
  result.records = manifest.added_rows_count.value_or(0);
  std::mt19937_64 random(std::random_device{}());
  auto change = [&](iceberg::TableMetadata& m) -> Status {
    if (m.default_spec_id != spec.spec_id || m.current_schema_id != schema_id) {
      return Status::Conflict("the table's schema or partition spec changed while appending");
    }
    iceberg::Snapshot s;
    do {
      s.snapshot_id = static_cast<int64_t>(random() >> 1);
    } while (s.snapshot_id == 0 || m.SnapshotById(s.snapshot_id) != nullptr);
    s.parent_snapshot_id = m.current_snapshot_id;
    s.sequence_number = m.last_sequence_number + 1;
    s.timestamp_ms = NowMillis();
    s.schema_id = schema_id;
    // The new manifest first, then every manifest of the parent (fast append).
    std::vector<iceberg::ManifestFile> manifests;
    iceberg::ManifestFile added = manifest;
    added.added_snapshot_id = s.snapshot_id;
    added.sequence_number = added.min_sequence_number = s.sequence_number;
    manifests.push_back(added);
    std::map<std::string, std::string> parent_summary;
    if (const iceberg::Snapshot* parent = m.CurrentSnapshot()) {
      FLOE_ASSIGN_OR_RETURN(auto existing, iceberg::ReadManifestList(parent->manifest_list));
      manifests.insert(manifests.end(), existing.begin(), existing.end());
      parent_summary = parent->summary;
    }
    s.manifest_list =
        fmt::format("{}/metadata/snap-{}-1-{}.avro", table_dir, s.snapshot_id, iceberg::NewUuid());
    FLOE_RETURN_IF_ERROR(iceberg::WriteManifestList(s.manifest_list, s, manifests));
    std::set<std::string> partitions;
    for (const iceberg::DataFile& f : files)
      partitions.insert(std::filesystem::path(f.file_path).parent_path().string());
    s.summary = {
        {"operation", "append"},
        {"added-data-files", std::to_string(files.size())},
        {"added-records", std::to_string(result.records)},
        {"added-files-size", std::to_string(added_bytes)},
        {"changed-partition-count",
         std::to_string(spec.unpartitioned() ? (files.empty() ? 0 : 1) : partitions.size())},
        {"total-data-files",
         SummaryAdd(parent_summary, "total-data-files", static_cast<int64_t>(files.size()))},
        {"total-records", SummaryAdd(parent_summary, "total-records", result.records)},
        {"total-files-size", SummaryAdd(parent_summary, "total-files-size", added_bytes)},
        {"total-delete-files", SummaryAdd(parent_summary, "total-delete-files", 0)},
        {"total-position-deletes", SummaryAdd(parent_summary, "total-position-deletes", 0)},
        {"total-equality-deletes", SummaryAdd(parent_summary, "total-equality-deletes", 0)}};
    result.snapshot_id = s.snapshot_id;
    m.snapshots.push_back(s);
    m.last_sequence_number = s.sequence_number;
    return iceberg::SetCurrentSnapshot(s.snapshot_id, s.timestamp_ms, &m);
  };
  FLOE_ASSIGN_OR_RETURN(result.commit, CommitTableChange(catalog, id, change));
  return result;
}

}  // namespace floe::catalog
