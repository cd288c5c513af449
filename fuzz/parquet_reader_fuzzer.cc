// libFuzzer target for the Parquet reader: the input is a whole file. Opens
// it, selects every column, reads every batch and renders every row as JSON so
// the assembled columns are walked too. Errors are fine; crashes, leaks, hangs
// and allocations the input does not justify are findings (scripts/fuzz).
#include <cstddef>
#include <cstdint>
#include <string>

#include "floe/columnar/text_rows.h"
#include "floe/format/parquet/file_reader.h"
#include "floe/io/file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = floe::OpenMemoryInputFile("fuzz.parquet",
                                        std::string(reinterpret_cast<const char*>(data), size));
  if (!file.ok()) return 0;
  auto reader = floe::parquet::FileReader::Open(std::move(*file));
  if (!reader.ok()) return 0;
  floe::parquet::ReadOptions options;
  // Small batches so batch boundaries inside row groups are exercised too.
  options.batch_rows = 97;
  if (!(*reader)->Select(options).ok()) return 0;
  std::string json;
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok() || batch->num_rows == 0) break;
    for (int64_t row = 0; row < batch->num_rows; ++row) {
      json.clear();
      floe::AppendJsonRow(*batch, row, &json);
    }
  }
  return 0;
}
