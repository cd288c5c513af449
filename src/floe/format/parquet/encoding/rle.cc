#include "floe/format/parquet/encoding/rle.h"

#include <algorithm>
#include <cassert>

#include "floe/format/parquet/encoding/bit_util.h"

namespace floe::parquet {

namespace {

// An RLE run stores its value in the fewest whole bytes that hold bit_width bits.
int RleValueBytes(int bit_width) {
  return (bit_width + 7) / 8;
}

}  // namespace

RleBitPackedEncoder::RleBitPackedEncoder(int bit_width) : bit_width_(bit_width) {
  assert(bit_width >= 0 && bit_width <= 32);
}

void RleBitPackedEncoder::PutSlow(uint32_t value) {
  value = static_cast<uint32_t>(value & LowBitsMask(bit_width_));
  if (value == previous_) {
    ++repeat_count_;
    // Past 8 repeats the run is RLE and its values are only counted.
    if (repeat_count_ > 8) {
      if (repeat_count_ <= kMaxRleRunLength) return;
      repeat_count_ = kMaxRleRunLength;
      WriteRleRun();
      repeat_count_ = 1;
    } else if (repeat_count_ == 8) {
      // The 7 earlier copies are all the buffer holds (any other value would
      // have filled and flushed the group first); they become the RLE run.
      num_buffered_ = 0;
      return;
    }
  } else {
    if (repeat_count_ >= 8) WriteRleRun();
    repeat_count_ = 1;
    previous_ = value;
  }
  buffered_[num_buffered_++] = value;
  if (num_buffered_ == 8) WriteBitPackedGroup();
}

void RleBitPackedEncoder::WriteRleRun() {
  EndBitPackedRun();
  AppendUleb128(&out_, repeat_count_ << 1);
  for (int i = 0; i < RleValueBytes(bit_width_); ++i) {
    out_.push_back(static_cast<char>((previous_ >> (8 * i)) & 0xff));
  }
  repeat_count_ = 0;
  num_buffered_ = 0;
}

void RleBitPackedEncoder::WriteBitPackedGroup() {
  if (groups_in_run_ == kMaxGroupsPerRun) EndBitPackedRun();
  if (run_header_pos_ == kNoRun) {
    run_header_pos_ = out_.size();
    out_.push_back('\0');
  }
  uint64_t values[8];
  for (int i = 0; i < 8; ++i) values[i] = i < num_buffered_ ? buffered_[i] : 0;
  const size_t at = out_.size();
  out_.resize(at + static_cast<size_t>(bit_width_));
  Pack8(values, bit_width_, reinterpret_cast<uint8_t*>(out_.data() + at));
  ++groups_in_run_;
  num_buffered_ = 0;
  // A repeat that straddles the group boundary starts counting afresh, so an
  // RLE run never has to take values back out of a packed group.
  repeat_count_ = 0;
}

void RleBitPackedEncoder::EndBitPackedRun() {
  if (run_header_pos_ == kNoRun) return;
  out_[run_header_pos_] = static_cast<char>((groups_in_run_ << 1) | 1);
  run_header_pos_ = kNoRun;
  groups_in_run_ = 0;
}

std::string RleBitPackedEncoder::Flush() {
  if (repeat_count_ >= 8) {
    WriteRleRun();
  } else if (num_buffered_ > 0) {
    WriteBitPackedGroup();
  }
  EndBitPackedRun();
  std::string result = std::move(out_);
  out_.clear();
  num_buffered_ = 0;
  previous_ = 0;
  repeat_count_ = 0;
  return result;
}

RleBitPackedDecoder::RleBitPackedDecoder(std::span<const uint8_t> data, int bit_width)
    : data_(data), bit_width_(bit_width) {}

Status RleBitPackedDecoder::NextRun() {
  const size_t header_pos = pos_;
  uint64_t header;
  if (!ReadUleb128(data_, &pos_, &header)) {
    return Status::Corruption("RLE/bit-packed run header at byte {} is truncated or too long",
                              header_pos);
  }
  const uint64_t count = header >> 1;
  if ((header & 1) == 0) {
    if (count == 0 || count > kMaxRleRunLength) {
      return Status::Corruption("RLE run at byte {} has length {}, outside [1, 2^31-1]", header_pos,
                                count);
    }
    const size_t value_bytes = static_cast<size_t>(RleValueBytes(bit_width_));
    if (data_.size() - pos_ < value_bytes) {
      return Status::Corruption(
          "RLE run at byte {} is truncated: its value needs {} bytes, {} left", header_pos,
          value_bytes, data_.size() - pos_);
    }
    uint64_t value = 0;
    for (size_t i = 0; i < value_bytes; ++i) value |= uint64_t{data_[pos_ + i]} << (8 * i);
    pos_ += value_bytes;
    if (value > LowBitsMask(bit_width_)) {
      return Status::Corruption("RLE run at byte {} repeats {}, wider than bit width {}",
                                header_pos, value, bit_width_);
    }
    rle_value_ = static_cast<uint32_t>(value);
    rle_left_ = count;
    return Status::OK();
  }
  if (count == 0 || count * 8 > kMaxRleRunLength) {
    return Status::Corruption("bit-packed run at byte {} has {} groups, outside [1, 2^28)",
                              header_pos, count);
  }
  uint64_t values = count * 8;
  const uint64_t left = data_.size() - pos_;
  if (bit_width_ > 0 && count * static_cast<uint64_t>(bit_width_) > left) {
    // A trimmed last run: keep the values whose bits are all present.
    values = left * 8 / static_cast<uint64_t>(bit_width_);
    if (values == 0) {
      return Status::Corruption("bit-packed run at byte {} needs {} bytes, {} left", header_pos,
                                count * static_cast<uint64_t>(bit_width_), left);
    }
  }
  packed_left_ = values;
  group_pos_ = 8;
  return Status::OK();
}

Result<size_t> RleBitPackedDecoder::GetBatch(std::span<uint32_t> out) {
  if (bit_width_ < 0 || bit_width_ > 32) {
    return Status::Corruption("RLE/bit-packed bit width {} is outside 0..32", bit_width_);
  }
  size_t done = 0;
  while (done < out.size()) {
    if (rle_left_ > 0) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(rle_left_, out.size() - done));
      std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(done), n, rle_value_);
      rle_left_ -= n;
      done += n;
      continue;
    }
    if (packed_left_ > 0) {
      if (group_pos_ == 8) {
        const size_t group_bytes = static_cast<size_t>(bit_width_);
        const size_t avail = std::min(group_bytes, data_.size() - pos_);
        uint64_t unpacked[8];
        Unpack8(data_.data() + pos_, avail, bit_width_, unpacked);
        pos_ += avail;
        for (int i = 0; i < 8; ++i) group_[i] = static_cast<uint32_t>(unpacked[i]);
        group_pos_ = 0;
      }
      const size_t n = static_cast<size_t>(std::min<uint64_t>(
          {packed_left_, out.size() - done, static_cast<uint64_t>(8 - group_pos_)}));
      std::copy_n(group_ + group_pos_, n, out.begin() + static_cast<std::ptrdiff_t>(done));
      group_pos_ += static_cast<int>(n);
      packed_left_ -= n;
      done += n;
      continue;
    }
    if (pos_ >= data_.size()) break;
    FLOE_RETURN_IF_ERROR(NextRun());
  }
  return done;
}

Status RleBitPackedDecoder::GetExactly(std::span<uint32_t> out) {
  FLOE_ASSIGN_OR_RETURN(size_t got, GetBatch(out));
  if (got != out.size()) {
    return Status::Corruption("RLE/bit-packed runs hold {} values, expected {}", got, out.size());
  }
  return Status::OK();
}

Result<std::span<const uint8_t>> ReadLengthPrefixedRuns(std::span<const uint8_t> data,
                                                        size_t* consumed) {
  if (data.size() < 4) {
    return Status::Corruption("RLE length prefix needs 4 bytes, {} left", data.size());
  }
  const uint32_t length = LoadLE<uint32_t>(data.data());
  if (length > data.size() - 4) {
    return Status::Corruption("RLE length prefix says {} bytes, {} left", length, data.size() - 4);
  }
  *consumed = 4 + static_cast<size_t>(length);
  return data.subspan(4, length);
}

Result<size_t> DecodeBitPackedLevels(std::span<const uint8_t> data, int bit_width,
                                     std::span<uint32_t> out) {
  if (bit_width < 0 || bit_width > 32) {
    return Status::Corruption("BIT_PACKED bit width {} is outside 0..32", bit_width);
  }
  const uint64_t bits = static_cast<uint64_t>(out.size()) * static_cast<uint64_t>(bit_width);
  const uint64_t bytes = (bits + 7) / 8;
  if (bytes > data.size()) {
    return Status::Corruption("BIT_PACKED levels: {} values of {} bits need {} bytes, {} left",
                              out.size(), bit_width, bytes, data.size());
  }
  uint64_t bit = 0;
  for (uint32_t& value : out) {
    uint32_t v = 0;
    for (int i = 0; i < bit_width; ++i, ++bit) {
      v = (v << 1) | ((data[bit >> 3] >> (7 - (bit & 7))) & 1u);
    }
    value = v;
  }
  return static_cast<size_t>(bytes);
}

std::string EncodeBitPackedLevels(std::span<const uint32_t> values, int bit_width) {
  assert(bit_width >= 0 && bit_width <= 32);
  const uint64_t bits = static_cast<uint64_t>(values.size()) * static_cast<uint64_t>(bit_width);
  std::string out((bits + 7) / 8, '\0');
  uint64_t bit = 0;
  for (uint32_t value : values) {
    for (int i = bit_width - 1; i >= 0; --i, ++bit) {
      if ((value >> i) & 1u) out[bit >> 3] = static_cast<char>(out[bit >> 3] | (0x80 >> (bit & 7)));
    }
  }
  return out;
}

}  // namespace floe::parquet
