// libFuzzer target for the decoder of Iceberg v3 deletion vectors
// (iceberg/deleted_rows.h): Puffin blobs that a scan reads from files other
// engines wrote. The first 8 bytes are the data file's row count (below 2^24,
// so a vector may expand to at most 128 MB of positions) and the
// cardinality the manifest claims; the rest is the blob. Whatever the bytes,
// the decoder returns an error or positions that are sorted, distinct, below
// the row count and as many as claimed, which encode and decode back to
// themselves.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "floe/iceberg/deleted_rows.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint32_t rows = 0, cardinality = 0;
  std::memcpy(&rows, data, 4);
  std::memcpy(&cardinality, data + 4, 4);
  rows &= (1u << 24) - 1;
  const std::string_view blob(reinterpret_cast<const char*>(data + 8), size - 8);
  auto decoded = floe::iceberg::DecodeDeletionVector(blob, rows, cardinality);
  if (!decoded.ok()) return 0;
  const auto positions = decoded->positions();
  if (static_cast<int64_t>(positions.size()) != int64_t{cardinality}) std::abort();
  for (size_t i = 0; i < positions.size(); ++i) {
    if (positions[i] < 0 || positions[i] >= rows) std::abort();
    if (i > 0 && positions[i] <= positions[i - 1]) std::abort();
  }
  const std::string again = floe::iceberg::EncodeDeletionVector(*decoded);
  auto back = floe::iceberg::DecodeDeletionVector(again, rows, cardinality);
  if (!back.ok() || !std::equal(back->positions().begin(), back->positions().end(),
                                positions.begin(), positions.end())) {
    std::abort();
  }
  return 0;
}
