// Rows to stdout as JSON lines or CSV, for the commands that print data
// (`parquet cat`, `table scan`). Text formatting is the costliest part of
// printing, so each batch is formatted in parallel slices, written in order.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "floe/columnar/column.h"
#include "floe/util/status.h"
#include "floe/util/thread_pool.h"

namespace floe::cli {

class RowWriter {
 public:
  // `format` is "jsonl" or "csv" (an error otherwise).
  static Result<RowWriter> Open(std::string_view format);

  // Prints the rows of `batch`; CSV starts with a header of the first
  // batch's schema.
  Status Write(const RecordBatch& batch);
  // Prints the CSV header of `schema` if nothing was printed yet (so an empty
  // result still has one).
  void Finish(const Schema& schema);

 private:
  explicit RowWriter(bool csv);

  bool csv_;
  bool header_pending_;
  std::unique_ptr<ThreadPool> pool_;
  std::vector<std::string> slices_;
};

}  // namespace floe::cli
