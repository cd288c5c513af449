#include "floe/format/parquet/encoding/byte_stream_split.h"

namespace floe::parquet {

namespace {

// Fixed widths let the compiler unroll the inner loop; the generic version
// handles FIXED_LEN_BYTE_ARRAY of any width.
template <size_t kWidth>
void Split(const uint8_t* in, size_t count, uint8_t* out) {
  for (size_t i = 0; i < count; ++i) {
    for (size_t k = 0; k < kWidth; ++k) out[k * count + i] = in[i * kWidth + k];
  }
}

template <size_t kWidth>
void Join(const uint8_t* in, size_t count, uint8_t* out) {
  for (size_t i = 0; i < count; ++i) {
    for (size_t k = 0; k < kWidth; ++k) out[i * kWidth + k] = in[k * count + i];
  }
}

void SplitAny(const uint8_t* in, size_t count, size_t width, uint8_t* out) {
  for (size_t k = 0; k < width; ++k) {
    uint8_t* stream = out + k * count;
    for (size_t i = 0; i < count; ++i) stream[i] = in[i * width + k];
  }
}

void JoinAny(const uint8_t* in, size_t count, size_t width, uint8_t* out) {
  for (size_t k = 0; k < width; ++k) {
    const uint8_t* stream = in + k * count;
    for (size_t i = 0; i < count; ++i) out[i * width + k] = stream[i];
  }
}

}  // namespace

Status EncodeByteStreamSplit(std::span<const uint8_t> values, size_t width, std::string* out) {
  if (width == 0 || values.size() % width != 0) {
    return Status::InvalidArgument("BYTE_STREAM_SPLIT: {} bytes are not whole values of width {}",
                                   values.size(), width);
  }
  const size_t count = values.size() / width;
  const size_t at = out->size();
  out->resize(at + values.size());
  uint8_t* dst = reinterpret_cast<uint8_t*>(out->data() + at);
  switch (width) {
    case 2:
      Split<2>(values.data(), count, dst);
      break;
    case 4:
      Split<4>(values.data(), count, dst);
      break;
    case 8:
      Split<8>(values.data(), count, dst);
      break;
    default:
      SplitAny(values.data(), count, width, dst);
      break;
  }
  return Status::OK();
}

Status DecodeByteStreamSplit(std::span<const uint8_t> encoded, size_t width,
                             std::span<uint8_t> out) {
  if (width == 0 || encoded.size() % width != 0) {
    return Status::Corruption("BYTE_STREAM_SPLIT: {} bytes are not whole values of width {}",
                              encoded.size(), width);
  }
  if (encoded.size() != out.size()) {
    return Status::Corruption("BYTE_STREAM_SPLIT holds {} values of width {}, expected {}",
                              encoded.size() / width, width, out.size() / width);
  }
  const size_t count = encoded.size() / width;
  switch (width) {
    case 2:
      Join<2>(encoded.data(), count, out.data());
      break;
    case 4:
      Join<4>(encoded.data(), count, out.data());
      break;
    case 8:
      Join<8>(encoded.data(), count, out.data());
      break;
    default:
      JoinAny(encoded.data(), count, width, out.data());
      break;
  }
  return Status::OK();
}

}  // namespace floe::parquet
