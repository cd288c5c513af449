// Avro's binary encoding of primitives (specification, "Binary Encoding"):
// int and long as zig-zag varints, float and double little-endian IEEE 754,
// bytes and string as a long length followed by the bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "floe/util/status.h"

namespace floe::avro {

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

void AppendLong(int64_t v, std::string* out);
void AppendFloat(float v, std::string* out);
void AppendDouble(double v, std::string* out);
void AppendBytes(std::string_view bytes, std::string* out);

// Reads primitives from a byte range. Every read checks the bytes left, so a
// truncated or hostile input is Corruption, never a read past the end.
class BinaryDecoder {
 public:
  explicit BinaryDecoder(std::span<const uint8_t> data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool done() const { return pos_ == data_.size(); }

  // At most 10 bytes; a longer varint or one whose value overflows 64 bits is
  // Corruption.
  Result<int64_t> ReadLong();
  // A long that must fit 32 bits.
  Result<int32_t> ReadInt();
  Result<bool> ReadBoolean();
  Result<float> ReadFloat();
  Result<double> ReadDouble();
  // A length-prefixed byte string; the length is checked against the bytes left.
  Result<std::string_view> ReadBytes();
  // Exactly n bytes.
  Result<std::string_view> ReadFixed(size_t n);

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace floe::avro
