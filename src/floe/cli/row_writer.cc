#include "floe/cli/row_writer.h"

#include <cstdio>

#include "floe/columnar/text_rows.h"

namespace floe::cli {

Result<RowWriter> RowWriter::Open(std::string_view format) {
  if (format != "jsonl" && format != "csv") {
    return Status::InvalidArgument("--format must be jsonl or csv, not '{}'", format);
  }
  return RowWriter(format == "csv");
}

RowWriter::RowWriter(bool csv)
    : csv_(csv),
      header_pending_(csv),
      pool_(std::make_unique<ThreadPool>(DefaultWorkerThreads())),
      slices_(pool_->size() + 1) {}

Status RowWriter::Write(const RecordBatch& batch) {
  if (header_pending_) Finish(batch.schema);
  // Slices of at least 4096 rows: smaller ones are not worth a thread.
  const int64_t n = batch.num_rows;
  const size_t slices =
      std::max<size_t>(1, std::min<size_t>(slices_.size(), static_cast<size_t>(n / 4096)));
  const int64_t per_slice = (n + static_cast<int64_t>(slices) - 1) / static_cast<int64_t>(slices);
  pool_->ParallelFor(slices, [&](size_t k) {
    std::string& out = slices_[k];
    out.clear();
    const int64_t begin = static_cast<int64_t>(k) * per_slice;
    const int64_t end = std::min(n, begin + per_slice);
    if (csv_) {
      for (int64_t r = begin; r < end; ++r) {
        AppendCsvRow(batch, r, &out);
        out.push_back('\n');
      }
    } else {
      AppendJsonLines(batch, begin, end, &out);
    }
  });
  for (size_t k = 0; k < slices; ++k) {
    if (std::fwrite(slices_[k].data(), 1, slices_[k].size(), stdout) != slices_[k].size()) {
      return Status::IOError("writing to stdout failed");
    }
  }
  return Status::OK();
}

void RowWriter::Finish(const Schema& schema) {
  if (!header_pending_) return;
  header_pending_ = false;
  std::string header;
  AppendCsvHeader(schema, &header);
  header.push_back('\n');
  std::fwrite(header.data(), 1, header.size(), stdout);
}

}  // namespace floe::cli
