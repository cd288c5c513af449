#include "floe/table/delete_writer.h"

#include <fmt/format.h>

#include <limits>

#include "floe/build_info.h"
#include "floe/format/parquet/file_writer.h"
#include "floe/format/parquet/iceberg_metrics.h"
#include "floe/iceberg/delete_index.h"
#include "floe/iceberg/table_builder.h"
#include "floe/io/file_io.h"
#include "floe/table/write_options.h"

namespace floe::table {

DeleteFileWriter::DeleteFileWriter(FileIO& io, const iceberg::TableMetadata& metadata)
    : io_(io), metadata_(metadata) {}
DeleteFileWriter::DeleteFileWriter(DeleteFileWriter&&) noexcept = default;
DeleteFileWriter::~DeleteFileWriter() = default;

std::string DeleteFileWriter::NewPath(const char* suffix) const {
  return fmt::format("{}/data/{}-{}", metadata_.location, iceberg::NewUuid(), suffix);
}

Status DeleteFileWriter::Add(const iceberg::DataFile& data, const iceberg::DeletedRows& positions) {
  iceberg::DataFile file;
  file.content = 1;
  file.spec_id = data.spec_id;
  file.partition = data.partition;
  file.partition_json = data.partition_json;
  file.record_count = positions.size();
  file.referenced_data_file = data.file_path;
  if (deletion_vectors()) {
    if (!puffin_) {
      std::string path = NewPath("deletes.puffin");
      written_.push_back(path);
      FLOE_ASSIGN_OR_RETURN(auto out, io_.Create(path));
      FLOE_ASSIGN_OR_RETURN(puffin_, puffin::PuffinWriter::Open(std::move(out)));
    }
    const std::string blob = iceberg::EncodeDeletionVector(positions);
    puffin::BlobMetadata meta;
    meta.type = puffin::kDeletionVectorV1;
    meta.fields = {iceberg::kDeletePosId};
    meta.properties = {{"referenced-data-file", data.file_path},
                       {"cardinality", std::to_string(positions.size())}};
    FLOE_ASSIGN_OR_RETURN(
        meta, puffin_->Add(std::move(meta),
                           std::span(reinterpret_cast<const uint8_t*>(blob.data()), blob.size())));
    file.file_path = written_.front();
    file.file_format = "PUFFIN";
    file.content_offset = meta.offset;
    file.content_size_in_bytes = meta.length;
    files_.push_back(std::move(file));
    return Status::OK();
  }
  const Schema schema({NestedField(iceberg::kDeleteFilePathId, "file_path", true, Type::String()),
                       NestedField(iceberg::kDeletePosId, "pos", true, Type::Long())});
  RecordBatch batch = RecordBatch::Empty(schema);
  for (int64_t p : positions.positions()) {
    batch.columns[0].AppendBytes(data.file_path);
    batch.columns[1].Append<int64_t>(p);
  }
  batch.num_rows = positions.size();
  return WriteParquet(batch, std::move(file));
}

Status DeleteFileWriter::AddEquality(const iceberg::DataFile& data, const RecordBatch& keys) {
  iceberg::DataFile file;
  file.content = 2;
  file.spec_id = data.spec_id;
  file.partition = data.partition;
  file.partition_json = data.partition_json;
  file.record_count = keys.num_rows;
  for (const NestedField& f : keys.schema.fields()) file.equality_ids.push_back(f.id);
  return WriteParquet(keys, std::move(file));
}

Status DeleteFileWriter::WriteParquet(const RecordBatch& batch, iceberg::DataFile file) {
  file.file_path = NewPath("deletes.parquet");
  file.file_format = "PARQUET";
  written_.push_back(file.file_path);
  FLOE_ASSIGN_OR_RETURN(
      const DataWriteOptions options,
      DataWriteOptions::FromProperties(metadata_.properties, *metadata_.CurrentSchema()));
  FLOE_ASSIGN_OR_RETURN(auto out, io_.Create(file.file_path));
  FLOE_ASSIGN_OR_RETURN(auto writer,
                        parquet::FileWriter::Open(std::move(out), batch.schema, options.parquet));
  FLOE_RETURN_IF_ERROR(writer->Write(batch));
  FLOE_RETURN_IF_ERROR(writer->Close());
  // Full bounds: readers prune by them, and a truncated file_path would not
  // name the referenced file.
  const parquet::DataFileMetrics metrics =
      parquet::MetricsFromWriter(*writer, std::numeric_limits<int>::max());
  SetFileMetrics(metrics, &file);  // record_count: its rows, the deletes it holds
  files_.push_back(std::move(file));
  return Status::OK();
}

Result<std::vector<iceberg::DataFile>> DeleteFileWriter::Finish() {
  if (puffin_) {
    FLOE_ASSIGN_OR_RETURN(const int64_t size, puffin_->Finish({{"created-by", CreatedBy()}}));
    puffin_.reset();
    for (iceberg::DataFile& f : files_) {
      if (f.file_format == "PUFFIN") f.file_size_in_bytes = size;
    }
  }
  return std::move(files_);
}

}  // namespace floe::table
