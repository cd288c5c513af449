// The RLE / bit-packed hybrid encoding (Encodings.md, "RLE = 3") that Parquet
// uses for repetition and definition levels, dictionary indices and RLE
// booleans, and the deprecated BIT_PACKED level encoding.
//
// The runs carry no value count: the page header says how many values there
// are, so the decoder hands out values until the caller has enough and the
// last bit-packed group may hold padding past that count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "floe/format/parquet/encoding/bit_util.h"
#include "floe/util/status.h"

namespace floe::parquet {

// Longest run the spec allows (a run length fits a signed 32-bit integer).
inline constexpr uint64_t kMaxRleRunLength = (uint64_t{1} << 31) - 1;

// Encodes values of a fixed bit width into RLE runs (8 or more repeats of a
// value) and bit-packed runs of groups of 8 (everything else), as parquet-java
// and Arrow do. The output has no 4-byte length prefix; the page writer adds
// it where the page kind wants one.
class RleBitPackedEncoder {
 public:
  // REQUIRES: 0 <= bit_width <= 32.
  explicit RleBitPackedEncoder(int bit_width);

  // REQUIRES: value < 2^bit_width (higher bits are dropped).
  void Put(uint32_t value) {
    // The common case inline: one more repeat of a run already known to be RLE.
    if (value == previous_ && repeat_count_ >= 8 && repeat_count_ < kMaxRleRunLength &&
        value <= LowBitsMask(bit_width_)) {
      ++repeat_count_;
      return;
    }
    PutSlow(value);
  }

  // Ends the open run and returns all runs; the encoder is empty afterwards
  // and ready for the next page. A last partial group is padded with zeros.
  std::string Flush();

  int bit_width() const { return bit_width_; }

 private:
  void PutSlow(uint32_t value);
  void WriteRleRun();
  void WriteBitPackedGroup();
  void EndBitPackedRun();

  static constexpr size_t kNoRun = static_cast<size_t>(-1);
  // A bit-packed run's header byte is reserved before its groups are known;
  // 63 groups keep (groups << 1 | 1) within one varint byte.
  static constexpr int kMaxGroupsPerRun = 63;

  int bit_width_;
  std::string out_;
  uint32_t buffered_[8] = {};
  int num_buffered_ = 0;
  uint32_t previous_ = 0;
  uint64_t repeat_count_ = 0;
  size_t run_header_pos_ = kNoRun;
  int groups_in_run_ = 0;
};

// Decodes RLE / bit-packed hybrid runs. Every read is bounds-checked; a
// malformed run is a Corruption error. The decoder never allocates.
class RleBitPackedDecoder {
 public:
  // data holds the runs only (no length prefix). A bit_width outside 0..32 makes
  // every read a Corruption error (it comes from file bytes for dictionary
  // indices).
  RleBitPackedDecoder(std::span<const uint8_t> data, int bit_width);

  // Decodes up to out.size() values and returns how many were decoded: fewer
  // only when the runs end. A truncated last bit-packed group yields the values
  // whose bits are present (some writers trim the padding).
  Result<size_t> GetBatch(std::span<uint32_t> out);

  // Decodes exactly out.size() values; running out of runs is Corruption.
  Status GetExactly(std::span<uint32_t> out);

  // Bytes of data consumed by the runs started so far.
  size_t position() const { return pos_; }

 private:
  Status NextRun();

  std::span<const uint8_t> data_;
  int bit_width_;
  size_t pos_ = 0;
  uint64_t rle_left_ = 0;  // values left in the current RLE run
  uint32_t rle_value_ = 0;
  uint64_t packed_left_ = 0;  // values left in the current bit-packed run
  uint32_t group_[8] = {};    // unpacked bit-packed group being handed out
  int group_pos_ = 8;
};

// A v1 data page (and RLE booleans in any page) put the runs' byte length
// as 4 bytes little endian before them. Returns the runs and sets *consumed to
// 4 + length.
Result<std::span<const uint8_t>> ReadLengthPrefixedRuns(std::span<const uint8_t> data,
                                                        size_t* consumed);

// Decodes out.size() levels in the deprecated BIT_PACKED encoding (values
// packed back to back, most significant bit first, no header). Returns the
// bytes consumed: ceil(count * bit_width / 8). REQUIRES nothing of bit_width:
// outside 0..32 is Corruption.
Result<size_t> DecodeBitPackedLevels(std::span<const uint8_t> data, int bit_width,
                                     std::span<uint32_t> out);

// The inverse of DecodeBitPackedLevels, for tests and completeness.
// REQUIRES: 0 <= bit_width <= 32.
std::string EncodeBitPackedLevels(std::span<const uint32_t> values, int bit_width);

}  // namespace floe::parquet
