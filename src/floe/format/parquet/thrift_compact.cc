#include "floe/format/parquet/thrift_compact.h"

#include <bit>
#include <cassert>
#include <limits>

namespace floe::parquet {
namespace {

// Compact protocol type ids (the low nibble of field and list headers).
constexpr uint8_t kWireBoolTrue = 1;
constexpr uint8_t kWireBoolFalse = 2;  // also the spec's list element type for bool

uint8_t WireType(ThriftType type) {
  switch (type) {
    case ThriftType::kStop:
      return 0;
    case ThriftType::kBool:
      return kWireBoolFalse;
    case ThriftType::kI8:
      return 3;
    case ThriftType::kI16:
      return 4;
    case ThriftType::kI32:
      return 5;
    case ThriftType::kI64:
      return 6;
    case ThriftType::kDouble:
      return 7;
    case ThriftType::kBinary:
      return 8;
    case ThriftType::kList:
      return 9;
    case ThriftType::kSet:
      return 10;
    case ThriftType::kMap:
      return 11;
    case ThriftType::kStruct:
      return 12;
    case ThriftType::kUuid:
      return 13;
  }
  assert(false && "unknown ThriftType");
  return 0;
}

// The inverse for nibbles 1..13; both bool ids mean kBool. kStop for anything else.
ThriftType FromWire(uint8_t nibble) {
  static constexpr ThriftType kTypes[] = {
      ThriftType::kStop,   ThriftType::kBool, ThriftType::kBool, ThriftType::kI8,
      ThriftType::kI16,    ThriftType::kI32,  ThriftType::kI64,  ThriftType::kDouble,
      ThriftType::kBinary, ThriftType::kList, ThriftType::kSet,  ThriftType::kMap,
      ThriftType::kStruct, ThriftType::kUuid,
  };
  return nibble < std::size(kTypes) ? kTypes[nibble] : ThriftType::kStop;
}

// The fewest bytes one value of a type takes; bounds what a container's claimed
// size can be before any element is read.
size_t MinEncodedSize(ThriftType type) {
  switch (type) {
    case ThriftType::kDouble:
      return 8;
    case ThriftType::kUuid:
      return 16;
    default:
      return 1;
  }
}

uint32_t ZigZag32(int32_t n) {
  return (static_cast<uint32_t>(n) << 1) ^ static_cast<uint32_t>(n >> 31);
}
uint64_t ZigZag64(int64_t n) {
  return (static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63);
}
int32_t UnZigZag32(uint32_t n) {
  return static_cast<int32_t>((n >> 1) ^ (0u - (n & 1u)));
}
int64_t UnZigZag64(uint64_t n) {
  return static_cast<int64_t>((n >> 1) ^ (0ull - (n & 1ull)));
}

}  // namespace

std::string_view ThriftTypeName(ThriftType type) {
  switch (type) {
    case ThriftType::kStop:
      return "stop";
    case ThriftType::kBool:
      return "bool";
    case ThriftType::kI8:
      return "i8";
    case ThriftType::kI16:
      return "i16";
    case ThriftType::kI32:
      return "i32";
    case ThriftType::kI64:
      return "i64";
    case ThriftType::kDouble:
      return "double";
    case ThriftType::kBinary:
      return "binary";
    case ThriftType::kList:
      return "list";
    case ThriftType::kSet:
      return "set";
    case ThriftType::kMap:
      return "map";
    case ThriftType::kStruct:
      return "struct";
    case ThriftType::kUuid:
      return "uuid";
  }
  return "unknown";
}

// ---------------------------------------------------------------- writer

void CompactWriter::WriteStructBegin() {
  last_field_ids_.push_back(0);
}

void CompactWriter::WriteStructEnd() {
  assert(!last_field_ids_.empty());
  last_field_ids_.pop_back();
}

void CompactWriter::WriteFieldBegin(ThriftType type, int16_t id) {
  assert(type != ThriftType::kStop && !bool_field_pending_);
  if (type == ThriftType::kBool) {
    bool_field_pending_ = true;
    pending_bool_id_ = id;
    return;
  }
  WriteFieldHeader(WireType(type), id);
}

void CompactWriter::WriteFieldHeader(uint8_t wire_type, int16_t id) {
  assert(!last_field_ids_.empty() && "field outside a struct");
  int16_t& last = last_field_ids_.back();
  const int delta = int{id} - int{last};
  if (delta > 0 && delta <= 15) {
    out_.push_back(static_cast<char>((delta << 4) | wire_type));
  } else {
    out_.push_back(static_cast<char>(wire_type));
    WriteVarint(ZigZag32(id));
  }
  last = id;
}

void CompactWriter::WriteFieldStop() {
  out_.push_back(0);
}

void CompactWriter::WriteBool(bool value) {
  if (bool_field_pending_) {
    bool_field_pending_ = false;
    WriteFieldHeader(value ? kWireBoolTrue : kWireBoolFalse, pending_bool_id_);
  } else {
    out_.push_back(value ? 1 : 0);
  }
}

void CompactWriter::WriteI8(int8_t value) {
  out_.push_back(static_cast<char>(value));
}
void CompactWriter::WriteI16(int16_t value) {
  WriteVarint(ZigZag32(value));
}
void CompactWriter::WriteI32(int32_t value) {
  WriteVarint(ZigZag32(value));
}
void CompactWriter::WriteI64(int64_t value) {
  WriteVarint(ZigZag64(value));
}

void CompactWriter::WriteDouble(double value) {
  // Little endian, unlike the binary protocol.
  const auto bits = std::bit_cast<uint64_t>(value);
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

void CompactWriter::WriteBinary(std::string_view value) {
  assert(value.size() <= static_cast<size_t>(std::numeric_limits<int32_t>::max()));
  WriteVarint(value.size());
  out_.append(value);
}

void CompactWriter::WriteUuid(const std::array<uint8_t, 16>& value) {
  out_.append(reinterpret_cast<const char*>(value.data()), value.size());
}

void CompactWriter::WriteListBegin(ThriftType elem_type, size_t size) {
  assert(size <= static_cast<size_t>(std::numeric_limits<int32_t>::max()));
  const uint8_t wire = WireType(elem_type);
  if (size < 15) {
    out_.push_back(static_cast<char>((size << 4) | wire));
  } else {
    out_.push_back(static_cast<char>(0xF0 | wire));
    WriteVarint(size);
  }
}

void CompactWriter::WriteMapBegin(ThriftType key_type, ThriftType value_type, size_t size) {
  assert(size <= static_cast<size_t>(std::numeric_limits<int32_t>::max()));
  WriteVarint(size);
  if (size > 0) out_.push_back(static_cast<char>((WireType(key_type) << 4) | WireType(value_type)));
}

void CompactWriter::WriteVarint(uint64_t value) {
  while (value >= 0x80) {
    out_.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out_.push_back(static_cast<char>(value));
}

// ---------------------------------------------------------------- reader

Status CompactReader::Truncated(size_t need) const {
  return Status::Corruption("thrift: input ends at byte {}, {} more byte(s) needed", data_.size(),
                            need - remaining());
}

Status CompactReader::EnterNesting() {
  if (depth_ >= kMaxDepth) {
    return Status::Corruption("thrift: nesting deeper than {} levels at byte {}", kMaxDepth, pos_);
  }
  ++depth_;
  return Status::OK();
}

Status CompactReader::ReadStructBegin() {
  FLOE_RETURN_IF_ERROR(EnterNesting());
  last_field_ids_.push_back(0);
  return Status::OK();
}

Status CompactReader::ReadStructEnd() {
  if (last_field_ids_.empty() || depth_ == 0)
    return Status::Internal("thrift: unmatched StructEnd");
  last_field_ids_.pop_back();
  --depth_;
  return Status::OK();
}

Result<CompactReader::FieldHeader> CompactReader::ReadFieldBegin() {
  if (last_field_ids_.empty()) return Status::Internal("thrift: field read outside a struct");
  bool_field_pending_ = false;
  if (remaining() < 1) return Truncated(1);
  const size_t at = pos_;
  const uint8_t byte = data_[pos_++];
  if (byte == 0) return FieldHeader{};
  const uint8_t nibble = byte & 0x0F;
  const ThriftType type = FromWire(nibble);
  if (type == ThriftType::kStop) {
    return Status::Corruption("thrift: unknown field type {} at byte {}", nibble, at);
  }
  int16_t& last = last_field_ids_.back();
  int id;
  if (const int delta = byte >> 4; delta != 0) {
    id = int{last} + delta;
  } else {
    FLOE_ASSIGN_OR_RETURN(const uint64_t raw, ReadVarint(32));
    id = UnZigZag32(static_cast<uint32_t>(raw));
  }
  if (id < std::numeric_limits<int16_t>::min() || id > std::numeric_limits<int16_t>::max()) {
    return Status::Corruption("thrift: field id {} out of range at byte {}", id, at);
  }
  last = static_cast<int16_t>(id);
  if (type == ThriftType::kBool) {
    bool_field_pending_ = true;
    pending_bool_value_ = nibble == kWireBoolTrue;
  }
  return FieldHeader{type, static_cast<int16_t>(id)};
}

Result<bool> CompactReader::ReadBool() {
  if (bool_field_pending_) {
    bool_field_pending_ = false;
    return pending_bool_value_;
  }
  if (remaining() < 1) return Truncated(1);
  const uint8_t byte = data_[pos_++];
  if (byte > 2) return Status::Corruption("thrift: bad bool value {} at byte {}", byte, pos_ - 1);
  return byte == 1;
}

Result<int8_t> CompactReader::ReadI8() {
  if (remaining() < 1) return Truncated(1);
  return static_cast<int8_t>(data_[pos_++]);
}

Result<int16_t> CompactReader::ReadI16() {
  const size_t at = pos_;
  FLOE_ASSIGN_OR_RETURN(const uint64_t raw, ReadVarint(32));
  const int32_t value = UnZigZag32(static_cast<uint32_t>(raw));
  if (value < std::numeric_limits<int16_t>::min() || value > std::numeric_limits<int16_t>::max()) {
    return Status::Corruption("thrift: i16 value {} out of range at byte {}", value, at);
  }
  return static_cast<int16_t>(value);
}

Result<int32_t> CompactReader::ReadI32() {
  FLOE_ASSIGN_OR_RETURN(const uint64_t raw, ReadVarint(32));
  return UnZigZag32(static_cast<uint32_t>(raw));
}

Result<int64_t> CompactReader::ReadI64() {
  FLOE_ASSIGN_OR_RETURN(const uint64_t raw, ReadVarint(64));
  return UnZigZag64(raw);
}

Result<double> CompactReader::ReadDouble() {
  if (remaining() < 8) return Truncated(8);
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= uint64_t{data_[pos_ + i]} << (8 * i);
  pos_ += 8;
  return std::bit_cast<double>(bits);
}

Result<std::string_view> CompactReader::ReadBinary() {
  const size_t at = pos_;
  FLOE_ASSIGN_OR_RETURN(const uint64_t size, ReadVarint(32));
  if (size > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    return Status::Corruption("thrift: negative binary length at byte {}", at);
  }
  if (size > remaining()) return Truncated(size);
  std::string_view view(reinterpret_cast<const char*>(data_.data() + pos_), size);
  pos_ += size;
  return view;
}

Result<std::array<uint8_t, 16>> CompactReader::ReadUuid() {
  if (remaining() < 16) return Truncated(16);
  std::array<uint8_t, 16> out;
  for (size_t i = 0; i < out.size(); ++i) out[i] = data_[pos_ + i];
  pos_ += 16;
  return out;
}

Result<ThriftType> CompactReader::ElementType(uint8_t nibble) const {
  const ThriftType type = FromWire(nibble);
  if (type == ThriftType::kStop) {
    return Status::Corruption("thrift: unknown element type {} before byte {}", nibble, pos_);
  }
  return type;
}

Status CompactReader::CheckElements(uint64_t count, size_t min_bytes_each,
                                    std::string_view what) const {
  // count <= INT32_MAX and min_bytes_each <= 32, so the product cannot overflow.
  if (count > static_cast<uint64_t>(std::numeric_limits<int32_t>::max()) ||
      count * min_bytes_each > remaining()) {
    return Status::Corruption("thrift: {} of {} elements at byte {} exceeds the {} bytes left",
                              what, count, pos_, remaining());
  }
  return Status::OK();
}

Result<CompactReader::ListHeader> CompactReader::ReadListBegin() {
  if (remaining() < 1) return Truncated(1);
  const uint8_t byte = data_[pos_++];
  FLOE_ASSIGN_OR_RETURN(const ThriftType elem_type, ElementType(byte & 0x0F));
  uint64_t size = byte >> 4;
  if (size == 15) {
    FLOE_ASSIGN_OR_RETURN(size, ReadVarint(32));
  }
  FLOE_RETURN_IF_ERROR(CheckElements(size, MinEncodedSize(elem_type), "list"));
  FLOE_RETURN_IF_ERROR(EnterNesting());
  return ListHeader{elem_type, static_cast<uint32_t>(size)};
}

Status CompactReader::ReadListEnd() {
  if (depth_ == 0) return Status::Internal("thrift: unmatched container end");
  --depth_;
  return Status::OK();
}

Result<CompactReader::MapHeader> CompactReader::ReadMapBegin() {
  FLOE_ASSIGN_OR_RETURN(const uint64_t size, ReadVarint(32));
  MapHeader header;
  if (size > 0) {
    if (remaining() < 1) return Truncated(1);
    const uint8_t byte = data_[pos_++];
    FLOE_ASSIGN_OR_RETURN(header.key_type, ElementType(byte >> 4));
    FLOE_ASSIGN_OR_RETURN(header.value_type, ElementType(byte & 0x0F));
    FLOE_RETURN_IF_ERROR(CheckElements(
        size, MinEncodedSize(header.key_type) + MinEncodedSize(header.value_type), "map"));
    header.size = static_cast<uint32_t>(size);
  }
  FLOE_RETURN_IF_ERROR(EnterNesting());
  return header;
}

Status CompactReader::Skip(ThriftType type) {
  switch (type) {
    case ThriftType::kBool:
      return ReadBool().status();
    case ThriftType::kI8:
      return ReadI8().status();
    case ThriftType::kI16:
      return ReadI16().status();
    case ThriftType::kI32:
      return ReadI32().status();
    case ThriftType::kI64:
      return ReadI64().status();
    case ThriftType::kDouble:
      return ReadDouble().status();
    case ThriftType::kBinary:
      return ReadBinary().status();
    case ThriftType::kUuid:
      return ReadUuid().status();
    case ThriftType::kList:
    case ThriftType::kSet: {
      FLOE_ASSIGN_OR_RETURN(const ListHeader list, ReadListBegin());
      for (uint32_t i = 0; i < list.size; ++i) FLOE_RETURN_IF_ERROR(Skip(list.elem_type));
      return ReadListEnd();
    }
    case ThriftType::kMap: {
      FLOE_ASSIGN_OR_RETURN(const MapHeader map, ReadMapBegin());
      for (uint32_t i = 0; i < map.size; ++i) {
        FLOE_RETURN_IF_ERROR(Skip(map.key_type));
        FLOE_RETURN_IF_ERROR(Skip(map.value_type));
      }
      return ReadMapEnd();
    }
    case ThriftType::kStruct: {
      FLOE_RETURN_IF_ERROR(ReadStructBegin());
      while (true) {
        FLOE_ASSIGN_OR_RETURN(const FieldHeader field, ReadFieldBegin());
        if (field.type == ThriftType::kStop) break;
        FLOE_RETURN_IF_ERROR(Skip(field.type));
      }
      return ReadStructEnd();
    }
    case ThriftType::kStop:
      break;
  }
  return Status::Internal("thrift: cannot skip a value of type {}", ThriftTypeName(type));
}

Result<uint64_t> CompactReader::ReadVarint(int bits) {
  assert(bits == 32 || bits == 64);
  const size_t at = pos_;
  const int max_bytes = (bits + 6) / 7;              // 5 or 10
  const int last_bits = bits - 7 * (max_bytes - 1);  // 4 or 1
  uint64_t result = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (remaining() < 1) return Truncated(1);
    const uint8_t byte = data_[pos_++];
    if (i == max_bytes - 1 && (byte >> last_bits) != 0) {
      return Status::Corruption("thrift: varint at byte {} overflows {} bits", at, bits);
    }
    result |= uint64_t{byte & 0x7Fu} << (7 * i);
    if ((byte & 0x80) == 0) return result;
  }
  return Status::Corruption("thrift: varint at byte {} overflows {} bits", at, bits);
}

}  // namespace floe::parquet
