#include "floe/format/parquet/file_writer.h"

#include <algorithm>
#include <cstring>

#include "floe/build_info.h"
#include "floe/format/parquet/plain_order.h"
#include "floe/util/decimal.h"

namespace floe::parquet {
namespace {

constexpr std::string_view kMagic = "PAR1";
// Rows handed to the column threads at a time, which is also how often a
// batch checks the row group's size: large for throughput, smaller when the
// row groups are small so that they are still cut near their target.
int64_t RowsPerSlice(const WriterOptions& options) {
  return std::clamp<int64_t>(options.row_group_bytes / 128, 512, 16 * 1024);
}

}  // namespace

Result<std::unique_ptr<FileWriter>> FileWriter::Open(std::unique_ptr<OutputFile> file,
                                                     Schema schema, WriterOptions options,
                                                     std::vector<KeyValue> key_value_metadata) {
  if (options.row_group_rows < 1) {
    return Status::InvalidArgument("row groups need at least one row, not {}",
                                   options.row_group_rows);
  }
  if (options.data_page_version != 1 && options.data_page_version != 2) {
    return Status::InvalidArgument("data page version must be 1 or 2, not {}",
                                   options.data_page_version);
  }
  std::unique_ptr<FileWriter> w(new FileWriter());
  FLOE_ASSIGN_OR_RETURN(w->metadata_.schema, ToParquetSchema(schema));
  FLOE_ASSIGN_OR_RETURN(w->file_schema_, FromParquetSchema(w->metadata_.schema));
  w->file_ = std::move(file);
  w->schema_ = std::move(schema);
  w->options_ = options;
  w->metadata_.version = 2;
  w->metadata_.created_by = CreatedBy();
  w->metadata_.key_value_metadata = std::move(key_value_metadata);
  const size_t threads =
      options.threads >= 0 ? static_cast<size_t>(options.threads) : DefaultWorkerThreads();
  if (options.pool != nullptr) {
    w->pool_ = options.pool;
  } else {
    w->own_pool_ = std::make_unique<ThreadPool>(std::min(
        threads, std::max<size_t>(w->file_schema_.leaves.size(), 1) - 1));  // the caller works too
    w->pool_ = w->own_pool_.get();
  }
  w->scratch_.resize(w->file_schema_.leaves.size());
  for (size_t i = 0; i < w->file_schema_.leaves.size(); ++i) w->order_.push_back(i);
  for (const LeafColumn& leaf : w->file_schema_.leaves) {
    w->columns_.emplace_back(leaf, w->options_);
    w->metadata_.column_orders.push_back(ColumnOrder::kTypeDefined);
    w->summaries_.push_back(
        {.field_id = leaf.field_id, .type = leaf.type, .repeated = leaf.max_rep > 0});
  }
  FLOE_RETURN_IF_ERROR(w->file_->Append(kMagic));
  return w;
}

FileWriter::~FileWriter() = default;

int64_t FileWriter::buffered_bytes() const {
  int64_t total = 0;
  for (const ColumnWriter& c : columns_) total += c.buffered_bytes();
  return total;
}

Status FileWriter::Write(const RecordBatch& batch) {
  if (closed_) return Status::Internal("{}: write after close", file_->path());
  // After a failed write the columns may hold different numbers of rows: the
  // file can only be abandoned.
  if (!failed_.ok()) return failed_;
  if (batch.columns.size() != schema_.fields().size()) {
    return Status::InvalidArgument("{}: batch has {} columns, schema {}", file_->path(),
                                   batch.columns.size(), schema_.fields().size());
  }
  for (size_t i = 0; i < batch.columns.size(); ++i) {
    const Column& c = batch.columns[i];
    if (c.length() != batch.num_rows || c.type() == nullptr ||
        !(*c.type() == *schema_.fields()[i].type)) {
      return Status::InvalidArgument(
          "{}: column {} does not match the schema or the batch's {} rows", file_->path(),
          schema_.fields()[i].name, batch.num_rows);
    }
    if (c.overflowed()) {
      return Status::OutOfRange("{}: column {} of the batch holds more than {} bytes of values",
                                file_->path(), schema_.fields()[i].name, Column::kMaxDataBytes);
    }
  }
  Status s = WriteRows(batch);
  if (!s.ok()) failed_ = s;
  return s;
}

Status FileWriter::WriteRows(const RecordBatch& batch) {
  int64_t begin = 0;
  std::vector<Status> status(columns_.size());
  while (begin < batch.num_rows) {
    const int64_t room = options_.row_group_rows - row_group_rows_;
    const int64_t end = std::min({batch.num_rows, begin + RowsPerSlice(options_), begin + room});
    // Columns are independent: each is shredded and encoded on its own
    // thread, the busiest first (by bytes so far) so that no thread is left
    // with a large column at the end while the others idle.
    std::sort(order_.begin(), order_.end(), [&](size_t a, size_t b) {
      return columns_[a].buffered_bytes() > columns_[b].buffered_bytes();
    });
    pool_->ParallelFor(columns_.size(), [&](size_t k) {
      const size_t i = order_[k];
      ShredLeaf(batch, file_schema_.leaves[i], begin, end, &scratch_[i]);
      status[i] = columns_[i].Write(scratch_[i]);
    });
    int64_t buffered = 0;
    for (size_t i = 0; i < columns_.size(); ++i) {
      FLOE_RETURN_IF_ERROR(status[i].WithContext(file_->path()));
      buffered += columns_[i].buffered_bytes();
    }
    row_group_rows_ += end - begin;
    if (buffered >= options_.row_group_bytes || row_group_rows_ >= options_.row_group_rows) {
      FLOE_RETURN_IF_ERROR(FlushRowGroup());
    }
    begin = end;
  }
  return Status::OK();
}

Status FileWriter::CutRowGroup() {
  if (closed_) return Status::Internal("{}: row group cut after close", file_->path());
  if (!failed_.ok()) return failed_;
  Status s = FlushRowGroup();
  if (!s.ok()) failed_ = s;
  return s;
}

Status FileWriter::FlushRowGroup() {
  if (row_group_rows_ == 0) return Status::OK();
  RowGroup group;
  group.num_rows = row_group_rows_;
  group.file_offset = file_->position();
  group.ordinal = static_cast<int16_t>(metadata_.row_groups.size());
  int64_t compressed = 0;
  // Finishing compresses each column's last page: in parallel, then written in order.
  std::vector<Result<ColumnChunkData>> chunks(columns_.size(), Status::Internal("not finished"));
  pool_->ParallelFor(columns_.size(), [&](size_t i) { chunks[i] = columns_[i].Finish(); });
  for (size_t i = 0; i < columns_.size(); ++i) {
    FLOE_ASSIGN_OR_RETURN(ColumnChunkData chunk, std::move(chunks[i]));
    const int64_t start = file_->position();
    ColumnMetaData meta = chunk.meta;
    meta.data_page_offset += start;
    if (meta.dictionary_page_offset) *meta.dictionary_page_offset += start;
    FLOE_RETURN_IF_ERROR(file_->Append(chunk.dictionary_page));
    FLOE_RETURN_IF_ERROR(file_->Append(chunk.data_pages));
    group.total_byte_size += meta.total_uncompressed_size;
    compressed += meta.total_compressed_size;
    Summarize(i, chunk);
    ColumnChunk column;
    column.file_offset = start;
    column.meta_data = std::move(meta);
    group.columns.push_back(std::move(column));
  }
  group.total_compressed_size = compressed;
  metadata_.num_rows += row_group_rows_;
  metadata_.row_groups.push_back(std::move(group));
  row_group_rows_ = 0;
  return Status::OK();
}

void FileWriter::Summarize(size_t leaf, const ColumnChunkData& chunk) {
  LeafSummary& s = summaries_[leaf];
  s.compressed_bytes += chunk.meta.total_compressed_size;
  s.value_count += chunk.value_count;
  s.null_count += chunk.null_count;
  s.nan_count += chunk.nan_count;
  if (!chunk.min_value) return;
  // Bounds across row groups in the type's order, on the PLAIN byte forms.
  const LeafColumn& column = file_schema_.leaves[leaf];
  auto less = [&](const std::string& a, const std::string& b) { return PlainLess(column, a, b); };
  if (!s.min_value || less(*chunk.min_value, *s.min_value)) s.min_value = chunk.min_value;
  if (!s.max_value || less(*s.max_value, *chunk.max_value)) s.max_value = chunk.max_value;
}

Status FileWriter::Close() {
  if (closed_) return Status::OK();
  closed_ = true;
  if (!failed_.ok()) return failed_;
  FLOE_RETURN_IF_ERROR(FlushRowGroup());
  const std::string footer = EncodeFileMetaData(metadata_);
  FLOE_RETURN_IF_ERROR(file_->Append(footer));
  char length[4];
  const auto n = static_cast<uint32_t>(footer.size());
  std::memcpy(length, &n, 4);
  FLOE_RETURN_IF_ERROR(file_->Append(std::string_view(length, 4)));
  FLOE_RETURN_IF_ERROR(file_->Append(kMagic));
  file_size_ = file_->position();
  return file_->Close();
}

}  // namespace floe::parquet
