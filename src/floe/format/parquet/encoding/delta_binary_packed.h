// DELTA_BINARY_PACKED (Encodings.md, "Delta Encoding"): INT32 and INT64 values
// as a first value plus blocks of bit-packed deltas, each block with its own
// minimum delta and a bit width per miniblock. Also the length streams of
// DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY.
//
// All arithmetic is done on unsigned integers, so deltas that overflow wrap in
// two's complement exactly as the spec asks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "floe/util/status.h"

namespace floe::parquet {

// Appends the encoding of values: blocks of 128 values in 4 miniblocks of 32,
// as parquet-java and Arrow write. INT32 deltas are taken modulo 2^32, so no
// miniblock is wider than 32 bits.
void EncodeDeltaBinaryPacked(std::span<const int32_t> values, std::string* out);
void EncodeDeltaBinaryPacked(std::span<const int64_t> values, std::string* out);

// Streams the values of one DELTA_BINARY_PACKED run. T is int32_t or int64_t.
// The decoder reads only inside its span and never allocates.
template <typename T>
class DeltaBinaryPackedDecoder {
 public:
  // Reads and checks the header at the start of data.
  static Result<DeltaBinaryPackedDecoder> Make(std::span<const uint8_t> data);

  // The value count the header declares.
  uint64_t total_values() const { return total_; }
  uint64_t values_left() const { return left_; }

  // Decodes min(out.size(), values_left()) values and returns that count.
  Result<size_t> GetBatch(std::span<T> out);

  // Decodes (and drops) the remaining values and returns the offset just past
  // the encoded run, where DELTA_LENGTH_BYTE_ARRAY's bytes begin.
  Result<size_t> Finish();

 private:
  using U = std::make_unsigned_t<T>;

  DeltaBinaryPackedDecoder() = default;
  Status StartBlock();
  Status StartMiniblock();

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  uint64_t values_per_block_ = 0;
  uint64_t miniblocks_per_block_ = 0;
  uint64_t values_per_miniblock_ = 0;
  uint64_t total_ = 0;
  uint64_t left_ = 0;          // values not yet handed out
  bool first_pending_ = true;  // the header's first value is still to hand out
  U last_ = 0;                 // the previous value, the base of the next delta
  U min_delta_ = 0;
  size_t widths_pos_ = 0;   // offset of the current block's miniblock bit widths
  uint64_t miniblock_ = 0;  // index of the current miniblock in its block
  bool in_block_ = false;
  uint64_t miniblock_left_ = 0;  // values left in the current miniblock
  int bit_width_ = 0;
  size_t miniblock_pos_ = 0;  // next unread group of the current miniblock
  size_t miniblock_end_ = 0;
  U group_[8] = {};
  int group_pos_ = 8;
};

extern template class DeltaBinaryPackedDecoder<int32_t>;
extern template class DeltaBinaryPackedDecoder<int64_t>;

// Decodes a whole run, appending its values to out. A header declaring more
// than max_values values is Corruption (the caller knows how many values the
// page holds). *consumed, when given, receives the run's byte length.
Status DecodeDeltaBinaryPacked(std::span<const uint8_t> data, size_t max_values,
                               std::vector<int32_t>* out, size_t* consumed = nullptr);
Status DecodeDeltaBinaryPacked(std::span<const uint8_t> data, size_t max_values,
                               std::vector<int64_t>* out, size_t* consumed = nullptr);

}  // namespace floe::parquet
