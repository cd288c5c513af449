// The Thrift compact protocol, which Parquet uses for its footer and page
// headers: floe's own small codec, written from the protocol specification.
//
// Only what Parquet metadata needs: structs, lists (and sets/maps/uuids for
// skipping what newer writers add). No messages, no services.
//
// The reader treats its input as hostile: every read is bounds checked,
// varints may not overflow, container sizes must fit in the bytes left, and
// nesting is limited, so malformed input yields a Corruption status instead of
// a crash or a huge allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "floe/util/status.h"

namespace floe::parquet {

// The logical Thrift types. On the wire the compact protocol folds a bool
// field's value into its type nibble; this enum keeps a single kBool.
enum class ThriftType : uint8_t {
  kStop = 0,  // end of a struct (ReadFieldBegin only)
  kBool,
  kI8,
  kI16,
  kI32,
  kI64,
  kDouble,
  kBinary,  // binary and string
  kList,
  kSet,
  kMap,
  kStruct,  // structs and unions
  kUuid,
};

// "i32", "binary", ...: for error messages.
std::string_view ThriftTypeName(ThriftType type);

// Serializes into a string it owns. Contracts are asserted, not returned:
// writing is driven by floe's own code, so a misuse is a bug, not bad input.
class CompactWriter {
 public:
  // Structs nest; each level remembers its last field id for the delta form.
  void WriteStructBegin();
  // REQUIRES: WriteFieldStop() was called for this struct.
  void WriteStructEnd();
  // For kBool the header is deferred to WriteBool, which folds the value in.
  void WriteFieldBegin(ThriftType type, int16_t id);
  void WriteFieldStop();

  // In a field (after WriteFieldBegin(kBool, id)) writes the field header;
  // as a list element writes one byte, 1 or 0.
  void WriteBool(bool value);
  void WriteI8(int8_t value);
  void WriteI16(int16_t value);
  void WriteI32(int32_t value);
  void WriteI64(int64_t value);
  void WriteDouble(double value);
  void WriteBinary(std::string_view value);
  void WriteUuid(const std::array<uint8_t, 16>& value);
  // REQUIRES: size <= INT32_MAX. Elements follow; there is no end marker.
  void WriteListBegin(ThriftType elem_type, size_t size);
  void WriteSetBegin(ThriftType elem_type, size_t size) { WriteListBegin(elem_type, size); }
  void WriteMapBegin(ThriftType key_type, ThriftType value_type, size_t size);

  // Unsigned LEB128, the building block of every integer; public for tests.
  void WriteVarint(uint64_t value);

  const std::string& buffer() const { return out_; }
  std::string Finish() && { return std::move(out_); }

 private:
  void WriteFieldHeader(uint8_t wire_type, int16_t id);

  std::string out_;
  std::vector<int16_t> last_field_ids_;  // one per open struct
  bool bool_field_pending_ = false;
  int16_t pending_bool_id_ = 0;
};

// Reads from a span it does not own. All methods return Status/Result; after
// an error the reader's state is unspecified and it should be dropped.
class CompactReader {
 public:
  // Structs and containers nested deeper than this are rejected; Parquet
  // metadata needs about 8 levels.
  static constexpr int kMaxDepth = 64;

  struct FieldHeader {
    ThriftType type = ThriftType::kStop;  // kStop: the struct ended
    int16_t id = 0;
  };
  struct ListHeader {
    ThriftType elem_type = ThriftType::kStop;
    uint32_t size = 0;  // already checked against the bytes left
  };
  struct MapHeader {
    ThriftType key_type = ThriftType::kStop;
    ThriftType value_type = ThriftType::kStop;
    uint32_t size = 0;
  };

  explicit CompactReader(std::span<const uint8_t> data) : data_(data) {}

  Status ReadStructBegin();
  Status ReadStructEnd();
  Result<FieldHeader> ReadFieldBegin();

  // Within a field: the value carried by the header of the field just read;
  // as a list element: one byte (1 true, 0 or 2 false).
  Result<bool> ReadBool();
  Result<int8_t> ReadI8();
  Result<int16_t> ReadI16();
  Result<int32_t> ReadI32();
  Result<int64_t> ReadI64();
  Result<double> ReadDouble();
  // A view into the input; copy it to keep it past the input's lifetime.
  Result<std::string_view> ReadBinary();
  Result<std::array<uint8_t, 16>> ReadUuid();
  // Every ListBegin/SetBegin/MapBegin needs its matching End (depth tracking).
  Result<ListHeader> ReadListBegin();
  Status ReadListEnd();
  Result<ListHeader> ReadSetBegin() { return ReadListBegin(); }
  Status ReadSetEnd() { return ReadListEnd(); }
  Result<MapHeader> ReadMapBegin();
  Status ReadMapEnd() { return ReadListEnd(); }

  // Consumes one value of `type` (for a struct: through its stop field), so
  // fields a newer writer added are passed over.
  Status Skip(ThriftType type);

  // Unsigned LEB128 of at most `bits` bits (32 or 64); public for tests.
  Result<uint64_t> ReadVarint(int bits);

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  Status Truncated(size_t need) const;
  Status EnterNesting();
  Result<ThriftType> ElementType(uint8_t nibble) const;
  Status CheckElements(uint64_t count, size_t min_bytes_each, std::string_view what) const;

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::vector<int16_t> last_field_ids_;  // one per open struct
  bool bool_field_pending_ = false;
  bool pending_bool_value_ = false;
};

}  // namespace floe::parquet
