// The deleted row positions of one data file, from its position delete files
// or its deletion vector, and the codec of Puffin's deletion-vector-v1 blob
// (puffin-spec "deletion-vector-v1"): a 4-byte big-endian length of magic and
// vector, the magic D1 D3 39 64, the positions as 32-bit Roaring bitmaps in
// the "portable" 64-bit layout (a little-endian count, then each bitmap after
// its little-endian key, the positions' high 32 bits), and a big-endian CRC-32
// of magic and vector.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "floe/util/status.h"

namespace floe::iceberg {

// A set of row positions, kept sorted for applying it to consecutive rows.
// Value type; not thread-safe to build, safe to read from several threads.
class DeletedRows {
 public:
  DeletedRows() = default;
  // REQUIRES: positions sorted and distinct.
  explicit DeletedRows(std::vector<int64_t> positions) : positions_(std::move(positions)) {}

  // Adds positions in any order; the set is sorted again by Finish.
  void Add(int64_t position) { positions_.push_back(position); }
  void Finish();

  int64_t size() const { return static_cast<int64_t>(positions_.size()); }
  bool empty() const { return positions_.empty(); }
  std::span<const int64_t> positions() const { return positions_; }
  bool Contains(int64_t position) const;

  // Clears keep[i] for each deleted position first + i, i < keep.size():
  // the rows of a batch that starts at row `first` of its file.
  void Apply(int64_t first, std::span<uint8_t> keep) const;

 private:
  std::vector<int64_t> positions_;
};

// A deletion-vector-v1 blob's positions. `rows` is the data file's row count:
// a position at or past it is corruption (so a blob of a few bytes cannot
// make a set larger than its file), as are a bad length, magic or CRC, keys
// out of order or with the top bit set, and a damaged bitmap. `cardinality`
// is what the manifest says the vector holds (its record_count); a vector
// holding another number is corrupt too.
Result<DeletedRows> DecodeDeletionVector(std::string_view blob, int64_t rows, int64_t cardinality);

// The blob of `deleted` (the writer's side of the codec above).
std::string EncodeDeletionVector(const DeletedRows& deleted);

}  // namespace floe::iceberg
