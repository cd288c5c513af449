// The machinery shared by the metadata decoders (metadata_decode.cc,
// page_header_decode.cc); not part of floe's API.
//
// Each struct has a table of the fields floe knows (id, name, required) and a
// switch reading them; FieldReader checks wire types, names fields in errors
// ("ColumnMetaData.num_values: expected i64, got binary"), skips unknown ids
// and reports missing required fields.
#pragma once

#include <fmt/format.h>

#include <cassert>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "floe/format/parquet/metadata.h"
#include "floe/format/parquet/thrift_compact.h"
#include "floe/util/status.h"

namespace floe::parquet::internal {

struct FieldSpec {
  int16_t id;
  std::string_view name;
  bool required;
};

// Every struct decoder; declared up front because structs nest.
Status Decode(CompactReader& r, KeyValue* out);
Status Decode(CompactReader& r, Statistics* out);
Status Decode(CompactReader& r, LogicalType* out);
Status Decode(CompactReader& r, SchemaElement* out);
Status Decode(CompactReader& r, DataPageHeader* out);
Status Decode(CompactReader& r, IndexPageHeader* out);
Status Decode(CompactReader& r, DictionaryPageHeader* out);
Status Decode(CompactReader& r, DataPageHeaderV2* out);
Status Decode(CompactReader& r, PageHeader* out);
Status Decode(CompactReader& r, PageEncodingStats* out);
Status Decode(CompactReader& r, ColumnMetaData* out);
Status Decode(CompactReader& r, ColumnChunk* out);
Status Decode(CompactReader& r, SortingColumn* out);
Status Decode(CompactReader& r, RowGroup* out);
Status Decode(CompactReader& r, ColumnOrder* out);
Status Decode(CompactReader& r, FileMetaData* out);

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

// The wire type a C++ field type is stored as.
template <typename T>
constexpr ThriftType WireTypeOf() {
  if constexpr (std::is_same_v<T, bool>) {
    return ThriftType::kBool;
  } else if constexpr (std::is_same_v<T, int8_t>) {
    return ThriftType::kI8;
  } else if constexpr (std::is_same_v<T, int16_t>) {
    return ThriftType::kI16;
  } else if constexpr (std::is_same_v<T, int32_t>) {
    return ThriftType::kI32;
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return ThriftType::kI64;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return ThriftType::kBinary;
  } else if constexpr (std::is_same_v<T, ColumnOrder>) {
    return ThriftType::kStruct;  // a union
  } else if constexpr (std::is_enum_v<T>) {
    return ThriftType::kI32;
  } else if constexpr (IsVector<T>::value) {
    return ThriftType::kList;
  } else {
    return ThriftType::kStruct;
  }
}

// Reads one value whose wire type was already checked.
template <typename T>
Status ReadValue(CompactReader& r, T* out) {
  if constexpr (std::is_same_v<T, bool>) {
    FLOE_ASSIGN_OR_RETURN(*out, r.ReadBool());
  } else if constexpr (std::is_same_v<T, int8_t>) {
    FLOE_ASSIGN_OR_RETURN(*out, r.ReadI8());
  } else if constexpr (std::is_same_v<T, int16_t>) {
    FLOE_ASSIGN_OR_RETURN(*out, r.ReadI16());
  } else if constexpr (std::is_same_v<T, int32_t>) {
    FLOE_ASSIGN_OR_RETURN(*out, r.ReadI32());
  } else if constexpr (std::is_same_v<T, int64_t>) {
    FLOE_ASSIGN_OR_RETURN(*out, r.ReadI64());
  } else if constexpr (std::is_same_v<T, std::string>) {
    FLOE_ASSIGN_OR_RETURN(const std::string_view bytes, r.ReadBinary());
    out->assign(bytes);
  } else if constexpr (std::is_enum_v<T> && !std::is_same_v<T, ColumnOrder>) {
    // Values a newer writer added are kept; the layers above judge them.
    FLOE_ASSIGN_OR_RETURN(const int32_t value, r.ReadI32());
    *out = static_cast<T>(value);
  } else {
    return Decode(r, out);
  }
  return Status::OK();
}

// The fields of one struct being read: the current field's header and which
// known fields were seen.
class FieldReader {
 public:
  FieldReader(CompactReader& r, std::string_view struct_name, std::span<const FieldSpec> specs)
      : r_(r), struct_name_(struct_name), specs_(specs) {
    assert(specs.size() <= 64 && "seen_ has 64 bits");
  }

  int16_t id() const { return field_.id; }
  CompactReader& reader() { return r_; }

  // Reads the current field into *out after checking its wire type. Optional
  // destinations are set; vectors take the list's elements.
  template <typename T>
  Status Read(T* out) {
    if constexpr (IsOptional<T>::value) {
      typename T::value_type value{};
      FLOE_RETURN_IF_ERROR(Read(&value));
      *out = std::move(value);
      return Status::OK();
    } else if constexpr (IsVector<T>::value) {
      return ReadList(out);
    } else {
      FLOE_RETURN_IF_ERROR(Expect(WireTypeOf<T>()));
      return ReadValue(r_, out);
    }
  }

  // Read for sizes, counts and offsets, which may not be negative.
  template <typename T>
  Status ReadNonNegative(T* out) {
    FLOE_RETURN_IF_ERROR(Read(out));
    int64_t value;
    if constexpr (IsOptional<T>::value) {
      value = **out;
    } else {
      value = *out;
    }
    if (value < 0) return Status::Corruption("{}: negative value {}", Where(), value);
    return Status::OK();
  }

  Status Expect(ThriftType want) {
    if (field_.type == want) return Status::OK();
    return Status::Corruption("{}: expected {}, got {}", Where(), ThriftTypeName(want),
                              ThriftTypeName(field_.type));
  }

  Status Skip() { return r_.Skip(field_.type); }

  // Reads every field, handing each to on_field (which reads or skips it),
  // then checks the required ones.
  template <typename OnField>
  Status ReadAll(OnField&& on_field) {
    FLOE_RETURN_IF_ERROR(r_.ReadStructBegin());
    while (true) {
      FLOE_ASSIGN_OR_RETURN(field_, r_.ReadFieldBegin());
      if (field_.type == ThriftType::kStop) break;
      ++fields_read_;
      for (size_t i = 0; i < specs_.size(); ++i) {
        if (specs_[i].id == field_.id) seen_ |= uint64_t{1} << i;
      }
      FLOE_RETURN_IF_ERROR(on_field(*this));
    }
    FLOE_RETURN_IF_ERROR(r_.ReadStructEnd());
    return CheckRequired();
  }

  // Fields present, known or not (union decoders count members with it).
  int fields_read() const { return fields_read_; }
  std::string_view struct_name() const { return struct_name_; }

 private:
  std::string Where() const {
    for (const FieldSpec& spec : specs_) {
      if (spec.id == field_.id) return fmt::format("{}.{}", struct_name_, spec.name);
    }
    return fmt::format("{}.<field {}>", struct_name_, field_.id);
  }

  template <typename T>
  Status ReadList(std::vector<T>* out) {
    FLOE_RETURN_IF_ERROR(Expect(ThriftType::kList));
    FLOE_ASSIGN_OR_RETURN(const CompactReader::ListHeader list, r_.ReadListBegin());
    if (list.elem_type != WireTypeOf<T>()) {
      return Status::Corruption("{}: expected list<{}>, got list<{}>", Where(),
                                ThriftTypeName(WireTypeOf<T>()), ThriftTypeName(list.elem_type));
    }
    // No reserve(list.size): the size is the input's claim; growth follows
    // the elements actually decoded.
    out->clear();
    for (uint32_t i = 0; i < list.size; ++i) {
      T& element = out->emplace_back();
      FLOE_RETURN_IF_ERROR(ReadValue(r_, &element));
    }
    return r_.ReadListEnd();
  }

  Status CheckRequired() const {
    std::string missing;
    for (size_t i = 0; i < specs_.size(); ++i) {
      if (specs_[i].required && (seen_ & (uint64_t{1} << i)) == 0) {
        if (!missing.empty()) missing += ", ";
        missing += specs_[i].name;
      }
    }
    if (missing.empty()) return Status::OK();
    return Status::Corruption("{}: missing required field(s) {}", struct_name_, missing);
  }

  CompactReader& r_;
  std::string_view struct_name_;
  std::span<const FieldSpec> specs_;
  CompactReader::FieldHeader field_;
  uint64_t seen_ = 0;  // bit i: specs_[i] was present
  int fields_read_ = 0;
};

template <typename OnField>
Status ReadStruct(CompactReader& r, std::string_view name, std::span<const FieldSpec> specs,
                  OnField&& on_field) {
  FieldReader fields(r, name, specs);
  return fields.ReadAll(std::forward<OnField>(on_field));
}

// A union member that is an empty struct; its content (fields a newer
// version may add) is skipped.
inline Status ReadEmptyMember(FieldReader& f) {
  FLOE_RETURN_IF_ERROR(f.Expect(ThriftType::kStruct));
  return f.Skip();
}

// A union holds exactly one member (ReadAll done).
inline Status CheckUnionMembers(const FieldReader& f) {
  const int members = f.fields_read();
  if (members == 0) return Status::Corruption("{}: empty union", f.struct_name());
  if (members > 1) {
    return Status::Corruption("{}: union with {} members set", f.struct_name(), members);
  }
  return Status::OK();
}

}  // namespace floe::parquet::internal
