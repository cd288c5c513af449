// Column and RecordBatch: floe's in-memory columnar data.
//
// The layout follows Apache Arrow's so a batch can later be handed to Python
// through the Arrow C Data Interface without copying values:
//   validity  bitmap, bit i (LSB first) set when slot i is present; empty when
//             the column has no nulls
//   data      fixed-width values (FixedWidth(type) bytes each, little-endian;
//             decimals as 16-byte two's complement, uuid / fixed as raw bytes),
//             or the concatenated bytes of string / binary values
//   offsets   length + 1 entries for string / binary (into data) and for list /
//             map (into the children)
//   children  struct: one per field, same length as the struct (a null struct
//             still has child slots); list: {element}; map: {key, value}.
// Differences from Arrow, to be bridged at export: booleans take one byte per
// value, and a map keeps key and value as two children instead of one struct.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "floe/schema/schema.h"
#include "floe/schema/type.h"
#include "floe/util/buffer.h"

namespace floe {

class Column {
 public:
  Column() = default;
  explicit Column(TypePtr type);

  const TypePtr& type() const { return type_; }
  int64_t length() const { return length_; }
  int64_t null_count() const { return null_count_; }
  bool IsValid(int64_t i) const {
    return validity_.empty() || (validity_[i >> 3] >> (i & 7) & 1) != 0;
  }

  // --- reading ----------------------------------------------------------------
  // REQUIRES: the type's fixed width is sizeof(T).
  template <typename T>
  T Value(int64_t i) const {
    T v;
    std::memcpy(&v, data_.data() + i * sizeof(T), sizeof(T));
    return v;
  }
  // The bytes of slot i: string / binary values, or fixed-width values (e.g. a
  // uuid's 16 bytes).
  std::string_view Bytes(int64_t i) const {
    const char* base = reinterpret_cast<const char*>(data_.data());
    if (!offsets_.empty()) {
      return {base + offsets_[i], static_cast<size_t>(offsets_[i + 1] - offsets_[i])};
    }
    return {base + i * width_, static_cast<size_t>(width_)};
  }
  // List / map slot i covers children entries [Offset(i), Offset(i + 1)).
  int32_t Offset(int64_t i) const { return offsets_[i]; }
  const Column& child(size_t i) const { return children_[i]; }
  Column& child(size_t i) { return children_[i]; }
  size_t num_children() const { return children_.size(); }

  std::span<const uint8_t> data() const { return data_; }
  std::span<const int32_t> offsets() const { return offsets_; }
  std::span<const uint8_t> validity() const { return validity_; }

  // --- building: one call per slot, in order ----------------------------------
  void AppendNull();
  template <typename T>
  void Append(T v) {
    const size_t at = data_.size();
    GrowFor(data_, sizeof(T));
    data_.resize(at + sizeof(T));
    std::memcpy(data_.data() + at, &v, sizeof(T));
    FinishSlot(true);
  }
  // A string / binary value, or the raw bytes of a fixed-width one. Offsets
  // are 32-bit (as Parquet's and Arrow's are): a value that would take a
  // column's bytes past kMaxDataBytes is not stored, and the column is
  // marked overflowed(); writers refuse such columns, and builders cut their
  // batches well before the limit.
  void AppendBytes(std::string_view bytes);
  static constexpr size_t kMaxDataBytes = 0x7fffffff;
  // Whether a value was refused for the limit above, here or in a child.
  bool overflowed() const;
  // Struct: append to every child first, then call this.
  void AppendStruct() { FinishSlot(true); }
  // List / map: append the entries to the children first, then call this.
  void AppendListEnd() {
    offsets_.push_back(static_cast<int32_t>(children_[0].length()));
    FinishSlot(true);
  }

  // Appends a copy of slot `row` of `src` (a column of the same type),
  // nested values included.
  void AppendFrom(const Column& src, int64_t row);
  // Appends copies of slots [begin, end) of `src` (a column of the same type):
  // as AppendFrom row by row, but each buffer is copied in one piece.
  void AppendRange(const Column& src, int64_t begin, int64_t end);

  // Drops the slots from `length` on (nested values included), as if they
  // had never been appended: a decoder takes back a half-appended row this
  // way, children appended for an unfinished slot included. Costs the
  // dropped slots, not the column. No-op when `length` is past the end.
  void Truncate(int64_t length);

  // Slot-level building for decoders that fill children separately: a struct
  // slot (children appended on their own), a list / map slot ending at child
  // entry `end`, or a null / valid marker after bulk-filling data.
  void AppendStructSlot(bool valid) { FinishSlot(valid); }
  void AppendListSlot(bool valid, int32_t end) {
    offsets_.push_back(end);
    FinishSlot(valid);
  }

  // Direct access for decoders that fill buffers in bulk. After writing,
  // call SetLength. REQUIRES: the buffers agree with the layout above.
  // The data buffer grows uninitialized (see Buffer): bytes a decoder
  // resizes for are its to write.
  Buffer<uint8_t>& mutable_data() { return data_; }
  Buffer<int32_t>& mutable_offsets() { return offsets_; }
  std::vector<uint8_t>& mutable_validity() { return validity_; }
  void SetLength(int64_t length, int64_t null_count) {
    length_ = length;
    null_count_ = null_count;
  }

 private:
  void FinishSlot(bool valid);
  // The validity of n appended slots, copied from src's slots from `begin`.
  void AppendValidity(const Column& src, int64_t begin, int64_t n);
  // Offsets of src's slots [begin, end), moved to start at this column's end.
  void AppendOffsets(const Column& src, int64_t begin, int64_t end);

  TypePtr type_;
  int64_t width_ = 0;  // FixedWidth(*type_), cached for Bytes()
  int64_t length_ = 0;
  int64_t null_count_ = 0;
  std::vector<uint8_t> validity_;
  Buffer<uint8_t> data_;
  Buffer<int32_t> offsets_;
  std::vector<Column> children_;
  bool overflowed_ = false;
};

// Rows of a schema, one Column per top-level field.
struct RecordBatch {
  Schema schema;
  std::vector<Column> columns;
  int64_t num_rows = 0;

  // Empty columns for every field of `schema`.
  static RecordBatch Empty(Schema schema);
};

// The rows of `batch` where keep[r] is non-zero, every column filtered.
// REQUIRES: keep.size() == batch.num_rows.
RecordBatch SelectRows(RecordBatch batch, const std::vector<uint8_t>& keep);

}  // namespace floe
