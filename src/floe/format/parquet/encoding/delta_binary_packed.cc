#include "floe/format/parquet/encoding/delta_binary_packed.h"

#include <algorithm>
#include <limits>

#include "floe/format/parquet/encoding/bit_util.h"

namespace floe::parquet {

namespace {

constexpr uint64_t kBlockSize = 128;
constexpr uint64_t kMiniblocks = 4;
constexpr uint64_t kMiniblockSize = kBlockSize / kMiniblocks;
// Far above anything written in practice (128..1024); keeps all size
// arithmetic well inside 64 bits for hostile headers.
constexpr uint64_t kMaxBlockSize = uint64_t{1} << 30;

template <typename T>
void Encode(std::span<const T> values, std::string* out) {
  using U = std::make_unsigned_t<T>;
  AppendUleb128(out, kBlockSize);
  AppendUleb128(out, kMiniblocks);
  AppendUleb128(out, values.size());
  AppendUleb128(out, ZigZagEncode(values.empty() ? 0 : static_cast<int64_t>(values[0])));
  if (values.size() <= 1) return;

  U deltas[kBlockSize];
  size_t i = 1;
  while (i < values.size()) {
    const size_t n = std::min<size_t>(kBlockSize, values.size() - i);
    T min_delta = std::numeric_limits<T>::max();
    for (size_t k = 0; k < n; ++k) {
      const U delta =
          static_cast<U>(static_cast<U>(values[i + k]) - static_cast<U>(values[i + k - 1]));
      deltas[k] = delta;
      min_delta = std::min(min_delta, static_cast<T>(delta));
    }
    for (size_t k = 0; k < n; ++k)
      deltas[k] = static_cast<U>(deltas[k] - static_cast<U>(min_delta));
    AppendUleb128(out, ZigZagEncode(static_cast<int64_t>(min_delta)));

    const size_t used = (n + kMiniblockSize - 1) / kMiniblockSize;
    int widths[kMiniblocks] = {};
    for (size_t m = 0; m < used; ++m) {
      U max_value = 0;
      for (size_t k = m * kMiniblockSize; k < std::min<size_t>(n, (m + 1) * kMiniblockSize); ++k) {
        max_value = std::max(max_value, deltas[k]);
      }
      widths[m] = BitWidth(max_value);
    }
    // Unused miniblocks keep a zero width byte and have no body.
    for (int width : widths) out->push_back(static_cast<char>(width));
    for (size_t m = 0; m < used; ++m) {
      const size_t at = out->size();
      out->resize(at + kMiniblockSize / 8 * static_cast<size_t>(widths[m]));
      for (size_t g = 0; g < kMiniblockSize / 8; ++g) {
        uint64_t group[8];
        for (size_t k = 0; k < 8; ++k) {
          const size_t index = m * kMiniblockSize + g * 8 + k;
          group[k] = index < n ? deltas[index] : 0;  // padding past the last value
        }
        Pack8(group, widths[m],
              reinterpret_cast<uint8_t*>(out->data() + at + g * static_cast<size_t>(widths[m])));
      }
    }
    i += n;
  }
}

template <typename T>
Status DecodeAll(std::span<const uint8_t> data, size_t max_values, std::vector<T>* out,
                 size_t* consumed) {
  FLOE_ASSIGN_OR_RETURN(auto decoder, DeltaBinaryPackedDecoder<T>::Make(data));
  if (decoder.total_values() > max_values) {
    return Status::Corruption("DELTA_BINARY_PACKED header declares {} values, at most {} expected",
                              decoder.total_values(), max_values);
  }
  // Grow with the values actually decoded, not with the header's claim.
  const size_t start = out->size();
  while (decoder.values_left() > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(decoder.values_left(), 4096));
    const size_t at = out->size();
    out->resize(at + chunk);
    auto got = decoder.GetBatch(std::span<T>(out->data() + at, chunk));
    if (!got.ok()) {
      out->resize(start);
      return got.status();
    }
  }
  FLOE_ASSIGN_OR_RETURN(size_t end, decoder.Finish());
  if (consumed != nullptr) *consumed = end;
  return Status::OK();
}

}  // namespace

void EncodeDeltaBinaryPacked(std::span<const int32_t> values, std::string* out) {
  Encode<int32_t>(values, out);
}
void EncodeDeltaBinaryPacked(std::span<const int64_t> values, std::string* out) {
  Encode<int64_t>(values, out);
}

Status DecodeDeltaBinaryPacked(std::span<const uint8_t> data, size_t max_values,
                               std::vector<int32_t>* out, size_t* consumed) {
  return DecodeAll<int32_t>(data, max_values, out, consumed);
}
Status DecodeDeltaBinaryPacked(std::span<const uint8_t> data, size_t max_values,
                               std::vector<int64_t>* out, size_t* consumed) {
  return DecodeAll<int64_t>(data, max_values, out, consumed);
}

template <typename T>
Result<DeltaBinaryPackedDecoder<T>> DeltaBinaryPackedDecoder<T>::Make(
    std::span<const uint8_t> data) {
  DeltaBinaryPackedDecoder decoder;
  decoder.data_ = data;
  uint64_t first_zigzag = 0;
  if (!ReadUleb128(data, &decoder.pos_, &decoder.values_per_block_) ||
      !ReadUleb128(data, &decoder.pos_, &decoder.miniblocks_per_block_) ||
      !ReadUleb128(data, &decoder.pos_, &decoder.total_) ||
      !ReadUleb128(data, &decoder.pos_, &first_zigzag)) {
    return Status::Corruption("DELTA_BINARY_PACKED header is truncated or malformed");
  }
  const uint64_t block = decoder.values_per_block_;
  const uint64_t miniblocks = decoder.miniblocks_per_block_;
  if (block == 0 || block % 128 != 0 || block > kMaxBlockSize) {
    return Status::Corruption(
        "DELTA_BINARY_PACKED block size {} is not a multiple of 128 in "
        "[128, 2^30]",
        block);
  }
  if (miniblocks == 0 || block % miniblocks != 0 || (block / miniblocks) % 32 != 0) {
    return Status::Corruption(
        "DELTA_BINARY_PACKED has {} miniblocks per block of {}: miniblocks "
        "must hold a multiple of 32 values",
        miniblocks, block);
  }
  decoder.values_per_miniblock_ = block / miniblocks;
  decoder.left_ = decoder.total_;
  // Wrapping to T's width is the spec's two's complement arithmetic.
  decoder.last_ = static_cast<U>(static_cast<uint64_t>(ZigZagDecode(first_zigzag)));
  return decoder;
}

template <typename T>
Status DeltaBinaryPackedDecoder<T>::StartBlock() {
  const size_t block_pos = pos_;
  uint64_t min_zigzag;
  if (!ReadUleb128(data_, &pos_, &min_zigzag)) {
    return Status::Corruption("DELTA_BINARY_PACKED block at byte {}: min delta is truncated",
                              block_pos);
  }
  if (data_.size() - pos_ < miniblocks_per_block_) {
    return Status::Corruption(
        "DELTA_BINARY_PACKED block at byte {}: {} miniblock widths, {} bytes "
        "left",
        block_pos, miniblocks_per_block_, data_.size() - pos_);
  }
  min_delta_ = static_cast<U>(static_cast<uint64_t>(ZigZagDecode(min_zigzag)));
  widths_pos_ = pos_;
  pos_ += static_cast<size_t>(miniblocks_per_block_);
  miniblock_ = 0;
  in_block_ = true;
  return Status::OK();
}

template <typename T>
Status DeltaBinaryPackedDecoder<T>::StartMiniblock() {
  if (!in_block_ || miniblock_ == miniblocks_per_block_) FLOE_RETURN_IF_ERROR(StartBlock());
  const int width = data_[widths_pos_ + static_cast<size_t>(miniblock_)];
  if (width > static_cast<int>(sizeof(T) * 8)) {
    return Status::Corruption("DELTA_BINARY_PACKED miniblock at byte {} has bit width {}, above {}",
                              pos_, width, sizeof(T) * 8);
  }
  bit_width_ = width;
  ++miniblock_;
  // The body always spans a full miniblock (padding included); a last
  // miniblock may stop early only if every value it must yield is present.
  const uint64_t full_bytes = values_per_miniblock_ / 8 * static_cast<uint64_t>(width);
  const uint64_t needed = std::min(left_, values_per_miniblock_);
  const uint64_t needed_bytes = (needed * static_cast<uint64_t>(width) + 7) / 8;
  const uint64_t avail = data_.size() - pos_;
  if (needed_bytes > avail) {
    return Status::Corruption("DELTA_BINARY_PACKED miniblock at byte {} needs {} bytes, {} left",
                              pos_, needed_bytes, avail);
  }
  miniblock_pos_ = pos_;
  miniblock_end_ = pos_ + static_cast<size_t>(std::min(full_bytes, avail));
  pos_ = miniblock_end_;
  miniblock_left_ = values_per_miniblock_;
  group_pos_ = 8;
  return Status::OK();
}

template <typename T>
Result<size_t> DeltaBinaryPackedDecoder<T>::GetBatch(std::span<T> out) {
  const size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), left_));
  size_t done = 0;
  if (n > 0 && first_pending_) {
    out[done++] = static_cast<T>(last_);
    first_pending_ = false;
    --left_;
  }
  while (done < n) {
    if (miniblock_left_ == 0) FLOE_RETURN_IF_ERROR(StartMiniblock());
    if (group_pos_ == 8) {
      const size_t group_bytes = static_cast<size_t>(bit_width_);
      uint64_t unpacked[8];
      Unpack8(data_.data() + miniblock_pos_, std::min(group_bytes, miniblock_end_ - miniblock_pos_),
              bit_width_, unpacked);
      miniblock_pos_ += std::min(group_bytes, miniblock_end_ - miniblock_pos_);
      for (int i = 0; i < 8; ++i) group_[i] = static_cast<U>(unpacked[i]);
      group_pos_ = 0;
    }
    const size_t take = static_cast<size_t>(
        std::min<uint64_t>({static_cast<uint64_t>(8 - group_pos_), miniblock_left_, n - done}));
    U last = last_;
    const U min_delta = min_delta_;
    for (size_t k = 0; k < take; ++k) {
      last = static_cast<U>(last + min_delta + group_[group_pos_ + static_cast<int>(k)]);
      out[done + k] = static_cast<T>(last);
    }
    last_ = last;
    group_pos_ += static_cast<int>(take);
    miniblock_left_ -= take;
    left_ -= take;
    done += take;
  }
  return n;
}

template <typename T>
Result<size_t> DeltaBinaryPackedDecoder<T>::Finish() {
  T scratch[256];
  while (left_ > 0) FLOE_RETURN_IF_ERROR(GetBatch(std::span<T>(scratch)).status());
  return pos_;
}

template class DeltaBinaryPackedDecoder<int32_t>;
template class DeltaBinaryPackedDecoder<int64_t>;

}  // namespace floe::parquet
