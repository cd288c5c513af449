// Encoding of the metadata structs. Field ids are parquet.thrift's; fields are
// written in id order so the compact protocol's short (delta) headers apply.
#include <type_traits>

#include "floe/format/parquet/metadata.h"
#include "floe/format/parquet/thrift_compact.h"

namespace floe::parquet {
namespace {

using W = CompactWriter;

// Field writers: one per wire type; the std::optional overloads write nothing
// for an absent value.
void PutBool(W& w, int16_t id, bool v) {
  w.WriteFieldBegin(ThriftType::kBool, id);
  w.WriteBool(v);
}
void PutI8(W& w, int16_t id, int8_t v) {
  w.WriteFieldBegin(ThriftType::kI8, id);
  w.WriteI8(v);
}
void PutI16(W& w, int16_t id, int16_t v) {
  w.WriteFieldBegin(ThriftType::kI16, id);
  w.WriteI16(v);
}
void PutI32(W& w, int16_t id, int32_t v) {
  w.WriteFieldBegin(ThriftType::kI32, id);
  w.WriteI32(v);
}
void PutI64(W& w, int16_t id, int64_t v) {
  w.WriteFieldBegin(ThriftType::kI64, id);
  w.WriteI64(v);
}
void PutBinary(W& w, int16_t id, std::string_view v) {
  w.WriteFieldBegin(ThriftType::kBinary, id);
  w.WriteBinary(v);
}
template <typename E>
requires std::is_enum_v<E>
void PutEnum(W& w, int16_t id, E v) {
  PutI32(w, id, static_cast<int32_t>(v));
}

template <typename T, typename Put>
void PutIf(W& w, int16_t id, const std::optional<T>& v, Put put) {
  if (v) put(w, id, *v);
}

// A struct with no fields: unions' empty members (TimeUnit, LogicalType kinds).
void PutEmptyStruct(W& w, int16_t id) {
  w.WriteFieldBegin(ThriftType::kStruct, id);
  w.WriteStructBegin();
  w.WriteFieldStop();
  w.WriteStructEnd();
}

// Every struct below has a Write(W&, const T&) writing its fields between
// StructBegin and StructEnd.
template <typename T>
void PutStruct(W& w, int16_t id, const T& v);

template <typename T>
void WriteStruct(W& w, const T& v);

// List elements: the wire type and the value writer per element type.
template <typename T>
constexpr ThriftType ElementType() {
  if constexpr (std::is_same_v<T, ColumnOrder>) {
    return ThriftType::kStruct;  // a union, not an enum on the wire
  } else if constexpr (std::is_enum_v<T>) {
    return ThriftType::kI32;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return ThriftType::kBinary;
  } else {
    return ThriftType::kStruct;
  }
}
template <typename T>
void WriteElement(W& w, const T& v) {
  if constexpr (std::is_same_v<T, ColumnOrder>) {
    WriteStruct(w, v);
  } else if constexpr (std::is_enum_v<T>) {
    w.WriteI32(static_cast<int32_t>(v));
  } else if constexpr (std::is_same_v<T, std::string>) {
    w.WriteBinary(v);
  } else {
    WriteStruct(w, v);
  }
}
template <typename T>
void PutList(W& w, int16_t id, const std::vector<T>& v) {
  w.WriteFieldBegin(ThriftType::kList, id);
  w.WriteListBegin(ElementType<T>(), v.size());
  for (const T& e : v) WriteElement(w, e);
}
// Optional lists are written only when non-empty.
template <typename T>
void PutNonEmptyList(W& w, int16_t id, const std::vector<T>& v) {
  if (!v.empty()) PutList(w, id, v);
}

void WriteFields(W& w, const KeyValue& v) {
  PutBinary(w, 1, v.key);
  PutIf(w, 2, v.value, PutBinary);
}

void WriteFields(W& w, const Statistics& v) {
  PutIf(w, 1, v.max, PutBinary);
  PutIf(w, 2, v.min, PutBinary);
  PutIf(w, 3, v.null_count, PutI64);
  PutIf(w, 4, v.distinct_count, PutI64);
  PutIf(w, 5, v.max_value, PutBinary);
  PutIf(w, 6, v.min_value, PutBinary);
  PutIf(w, 7, v.is_max_value_exact, PutBool);
  PutIf(w, 8, v.is_min_value_exact, PutBool);
}

// TimeType and TimestampType share their layout.
void PutTimeLike(W& w, int16_t id, const LogicalType& v) {
  w.WriteFieldBegin(ThriftType::kStruct, id);
  w.WriteStructBegin();
  PutBool(w, 1, v.is_adjusted_to_utc);
  w.WriteFieldBegin(ThriftType::kStruct, 2);
  w.WriteStructBegin();
  PutEmptyStruct(w, static_cast<int16_t>(v.unit));
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldStop();
  w.WriteStructEnd();
}

void WriteFields(W& w, const LogicalType& v) {
  using K = LogicalType::Kind;
  const auto id = static_cast<int16_t>(v.kind);
  switch (v.kind) {
    case K::kDecimal:
      w.WriteFieldBegin(ThriftType::kStruct, id);
      w.WriteStructBegin();
      PutI32(w, 1, v.scale);
      PutI32(w, 2, v.precision);
      w.WriteFieldStop();
      w.WriteStructEnd();
      return;
    case K::kTime:
    case K::kTimestamp:
      PutTimeLike(w, id, v);
      return;
    case K::kInteger:
      w.WriteFieldBegin(ThriftType::kStruct, id);
      w.WriteStructBegin();
      PutI8(w, 1, v.bit_width);
      PutBool(w, 2, v.is_signed);
      w.WriteFieldStop();
      w.WriteStructEnd();
      return;
    case K::kUnrecognized:
      return;  // never reached: SchemaElement omits the field
    default:
      PutEmptyStruct(w, id);  // the parameterless kinds
      return;
  }
}

void WriteFields(W& w, const SchemaElement& v) {
  PutIf(w, 1, v.type, PutEnum<PhysicalType>);
  PutIf(w, 2, v.type_length, PutI32);
  PutIf(w, 3, v.repetition_type, PutEnum<Repetition>);
  PutBinary(w, 4, v.name);
  PutIf(w, 5, v.num_children, PutI32);
  PutIf(w, 6, v.converted_type, PutEnum<ConvertedType>);
  PutIf(w, 7, v.scale, PutI32);
  PutIf(w, 8, v.precision, PutI32);
  PutIf(w, 9, v.field_id, PutI32);
  if (v.logical_type && v.logical_type->kind != LogicalType::Kind::kUnrecognized) {
    PutStruct(w, 10, *v.logical_type);
  }
}

void WriteFields(W& w, const DataPageHeader& v) {
  PutI32(w, 1, v.num_values);
  PutEnum(w, 2, v.encoding);
  PutEnum(w, 3, v.definition_level_encoding);
  PutEnum(w, 4, v.repetition_level_encoding);
  PutIf(w, 5, v.statistics, PutStruct<Statistics>);
}

void WriteFields(W&, const IndexPageHeader&) {}

void WriteFields(W& w, const DictionaryPageHeader& v) {
  PutI32(w, 1, v.num_values);
  PutEnum(w, 2, v.encoding);
  PutIf(w, 3, v.is_sorted, PutBool);
}

void WriteFields(W& w, const DataPageHeaderV2& v) {
  PutI32(w, 1, v.num_values);
  PutI32(w, 2, v.num_nulls);
  PutI32(w, 3, v.num_rows);
  PutEnum(w, 4, v.encoding);
  PutI32(w, 5, v.definition_levels_byte_length);
  PutI32(w, 6, v.repetition_levels_byte_length);
  PutBool(w, 7, v.is_compressed);
  PutIf(w, 8, v.statistics, PutStruct<Statistics>);
}

void WriteFields(W& w, const PageHeader& v) {
  PutEnum(w, 1, v.type);
  PutI32(w, 2, v.uncompressed_page_size);
  PutI32(w, 3, v.compressed_page_size);
  PutIf(w, 4, v.crc, PutI32);
  PutIf(w, 5, v.data_page_header, PutStruct<DataPageHeader>);
  PutIf(w, 6, v.index_page_header, PutStruct<IndexPageHeader>);
  PutIf(w, 7, v.dictionary_page_header, PutStruct<DictionaryPageHeader>);
  PutIf(w, 8, v.data_page_header_v2, PutStruct<DataPageHeaderV2>);
}

void WriteFields(W& w, const PageEncodingStats& v) {
  PutEnum(w, 1, v.page_type);
  PutEnum(w, 2, v.encoding);
  PutI32(w, 3, v.count);
}

void WriteFields(W& w, const ColumnMetaData& v) {
  PutEnum(w, 1, v.type);
  PutList(w, 2, v.encodings);
  PutList(w, 3, v.path_in_schema);
  PutEnum(w, 4, v.codec);
  PutI64(w, 5, v.num_values);
  PutI64(w, 6, v.total_uncompressed_size);
  PutI64(w, 7, v.total_compressed_size);
  PutNonEmptyList(w, 8, v.key_value_metadata);
  PutI64(w, 9, v.data_page_offset);
  PutIf(w, 10, v.index_page_offset, PutI64);
  PutIf(w, 11, v.dictionary_page_offset, PutI64);
  PutIf(w, 12, v.statistics, PutStruct<Statistics>);
  PutNonEmptyList(w, 13, v.encoding_stats);
  PutIf(w, 14, v.bloom_filter_offset, PutI64);
  PutIf(w, 15, v.bloom_filter_length, PutI32);
}

void WriteFields(W& w, const ColumnChunk& v) {
  PutIf(w, 1, v.file_path, PutBinary);
  PutI64(w, 2, v.file_offset);
  PutIf(w, 3, v.meta_data, PutStruct<ColumnMetaData>);
  PutIf(w, 4, v.offset_index_offset, PutI64);
  PutIf(w, 5, v.offset_index_length, PutI32);
  PutIf(w, 6, v.column_index_offset, PutI64);
  PutIf(w, 7, v.column_index_length, PutI32);
}

void WriteFields(W& w, const SortingColumn& v) {
  PutI32(w, 1, v.column_idx);
  PutBool(w, 2, v.descending);
  PutBool(w, 3, v.nulls_first);
}

void WriteFields(W& w, const RowGroup& v) {
  PutList(w, 1, v.columns);
  PutI64(w, 2, v.total_byte_size);
  PutI64(w, 3, v.num_rows);
  PutNonEmptyList(w, 4, v.sorting_columns);
  PutIf(w, 5, v.file_offset, PutI64);
  PutIf(w, 6, v.total_compressed_size, PutI64);
  PutIf(w, 7, v.ordinal, PutI16);
}

void WriteFields(W& w, const ColumnOrder& v) {
  if (v != ColumnOrder::kUnknown) PutEmptyStruct(w, static_cast<int16_t>(v));
}

void WriteFields(W& w, const FileMetaData& v) {
  PutI32(w, 1, v.version);
  PutList(w, 2, v.schema);
  PutI64(w, 3, v.num_rows);
  PutList(w, 4, v.row_groups);
  PutNonEmptyList(w, 5, v.key_value_metadata);
  PutIf(w, 6, v.created_by, PutBinary);
  PutNonEmptyList(w, 7, v.column_orders);
}

template <typename T>
void WriteStruct(W& w, const T& v) {
  w.WriteStructBegin();
  WriteFields(w, v);
  w.WriteFieldStop();
  w.WriteStructEnd();
}

template <typename T>
void PutStruct(W& w, int16_t id, const T& v) {
  w.WriteFieldBegin(ThriftType::kStruct, id);
  WriteStruct(w, v);
}

}  // namespace

std::string EncodeFileMetaData(const FileMetaData& metadata) {
  CompactWriter w;
  WriteStruct(w, metadata);
  return std::move(w).Finish();
}

std::string EncodePageHeader(const PageHeader& header) {
  CompactWriter w;
  WriteStruct(w, header);
  return std::move(w).Finish();
}

}  // namespace floe::parquet
