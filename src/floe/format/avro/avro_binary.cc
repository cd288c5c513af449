#include "floe/format/avro/avro_binary.h"

#include <bit>
#include <cstring>

namespace floe::avro {

static_assert(std::endian::native == std::endian::little, "floe assumes a little-endian host");

void AppendLong(int64_t v, std::string* out) {
  uint64_t z = ZigZag(v);
  while (z >= 0x80) {
    out->push_back(static_cast<char>((z & 0x7F) | 0x80));
    z >>= 7;
  }
  out->push_back(static_cast<char>(z));
}

void AppendFloat(float v, std::string* out) {
  char b[4];
  std::memcpy(b, &v, 4);
  out->append(b, 4);
}

void AppendDouble(double v, std::string* out) {
  char b[8];
  std::memcpy(b, &v, 8);
  out->append(b, 8);
}

void AppendBytes(std::string_view bytes, std::string* out) {
  AppendLong(static_cast<int64_t>(bytes.size()), out);
  out->append(bytes);
}

Result<int64_t> BinaryDecoder::ReadLong() {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ == data_.size()) return Status::Corruption("varint runs past the end of the data");
    const uint8_t b = data_[pos_++];
    // The tenth byte holds bit 63 only.
    if (shift == 63 && (b & 0x7E) != 0) return Status::Corruption("varint overflows 64 bits");
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return UnZigZag(v);
  }
  return Status::Corruption("varint longer than 10 bytes");
}

Result<int32_t> BinaryDecoder::ReadInt() {
  FLOE_ASSIGN_OR_RETURN(int64_t v, ReadLong());
  if (v < INT32_MIN || v > INT32_MAX) return Status::Corruption("int {} overflows 32 bits", v);
  return static_cast<int32_t>(v);
}

Result<bool> BinaryDecoder::ReadBoolean() {
  if (pos_ == data_.size()) return Status::Corruption("boolean runs past the end of the data");
  const uint8_t b = data_[pos_++];
  if (b > 1) return Status::Corruption("boolean byte is {}, not 0 or 1", b);
  return b == 1;
}

Result<float> BinaryDecoder::ReadFloat() {
  FLOE_ASSIGN_OR_RETURN(std::string_view b, ReadFixed(4));
  float v;
  std::memcpy(&v, b.data(), 4);
  return v;
}

Result<double> BinaryDecoder::ReadDouble() {
  FLOE_ASSIGN_OR_RETURN(std::string_view b, ReadFixed(8));
  double v;
  std::memcpy(&v, b.data(), 8);
  return v;
}

Result<std::string_view> BinaryDecoder::ReadBytes() {
  FLOE_ASSIGN_OR_RETURN(int64_t n, ReadLong());
  if (n < 0) return Status::Corruption("negative length {}", n);
  if (static_cast<uint64_t>(n) > remaining()) {
    return Status::Corruption("length {} exceeds the {} bytes left", n, remaining());
  }
  return ReadFixed(static_cast<size_t>(n));
}

Result<std::string_view> BinaryDecoder::ReadFixed(size_t n) {
  if (n > remaining()) return Status::Corruption("{} bytes needed, {} left", n, remaining());
  std::string_view v(reinterpret_cast<const char*>(data_.data()) + pos_, n);
  pos_ += n;
  return v;
}

}  // namespace floe::avro
