// Decoding of the footer's structs (FileMetaData and what it holds) from
// untrusted bytes; the page headers are in page_header_decode.cc.
#include "floe/format/parquet/metadata.h"
#include "floe/format/parquet/metadata_decode_internal.h"

namespace floe::parquet {
namespace internal {

constexpr FieldSpec kKeyValue[] = {{1, "key", true}, {2, "value", false}};

Status Decode(CompactReader& r, KeyValue* out) {
  return ReadStruct(r, "KeyValue", kKeyValue, [&](FieldReader& f) -> Status {
    switch (f.id()) {
      case 1:
        return f.Read(&out->key);
      case 2:
        return f.Read(&out->value);
      default:
        return f.Skip();
    }
  });
}

constexpr FieldSpec kStatistics[] = {
    {1, "max", false},
    {2, "min", false},
    {3, "null_count", false},
    {4, "distinct_count", false},
    {5, "max_value", false},
    {6, "min_value", false},
    {7, "is_max_value_exact", false},
    {8, "is_min_value_exact", false},
};

Status Decode(CompactReader& r, Statistics* out) {
  return ReadStruct(r, "Statistics", kStatistics, [&](FieldReader& f) -> Status {
    switch (f.id()) {
      case 1:
        return f.Read(&out->max);
      case 2:
        return f.Read(&out->min);
      case 3:
        return f.ReadNonNegative(&out->null_count);
      case 4:
        return f.ReadNonNegative(&out->distinct_count);
      case 5:
        return f.Read(&out->max_value);
      case 6:
        return f.Read(&out->min_value);
      case 7:
        return f.Read(&out->is_max_value_exact);
      case 8:
        return f.Read(&out->is_min_value_exact);
      default:
        return f.Skip();
    }
  });
}

namespace {

constexpr FieldSpec kTimeUnit[] = {{1, "MILLIS", false}, {2, "MICROS", false}, {3, "NANOS", false}};

// nullopt: a unit floe does not know (a newer writer's).
Status DecodeTimeUnit(CompactReader& r, std::optional<TimeUnit>* out) {
  FieldReader u(r, "TimeUnit", kTimeUnit);
  FLOE_RETURN_IF_ERROR(u.ReadAll([&](FieldReader& f) -> Status {
    if (f.id() >= 1 && f.id() <= 3) *out = static_cast<TimeUnit>(f.id());
    return ReadEmptyMember(f);
  }));
  return CheckUnionMembers(u);
}

constexpr FieldSpec kTimeType[] = {{1, "isAdjustedToUTC", true}, {2, "unit", true}};
constexpr FieldSpec kDecimalType[] = {{1, "scale", true}, {2, "precision", true}};
constexpr FieldSpec kIntType[] = {{1, "bitWidth", true}, {2, "isSigned", true}};

// TimeType and TimestampType share their layout.
Status DecodeTimeLike(FieldReader& member, std::string_view name, LogicalType* out) {
  FLOE_RETURN_IF_ERROR(member.Expect(ThriftType::kStruct));
  std::optional<TimeUnit> unit;
  const auto on_field = [&](FieldReader& f) -> Status {
    switch (f.id()) {
      case 1:
        return f.Read(&out->is_adjusted_to_utc);
      case 2:
        FLOE_RETURN_IF_ERROR(f.Expect(ThriftType::kStruct));
        return DecodeTimeUnit(f.reader(), &unit);
      default:
        return f.Skip();
    }
  };
  FLOE_RETURN_IF_ERROR(ReadStruct(member.reader(), name, kTimeType, on_field));
  if (unit) {
    out->unit = *unit;
  } else {
    *out = LogicalType::Of(LogicalType::Kind::kUnrecognized);
  }
  return Status::OK();
}

constexpr FieldSpec kLogicalType[] = {
    {1, "STRING", false},   {2, "MAP", false},      {3, "LIST", false},  {4, "ENUM", false},
    {5, "DECIMAL", false},  {6, "DATE", false},     {7, "TIME", false},  {8, "TIMESTAMP", false},
    {10, "INTEGER", false}, {11, "UNKNOWN", false}, {12, "JSON", false}, {13, "BSON", false},
    {14, "UUID", false},    {15, "FLOAT16", false},
};

}  // namespace

Status Decode(CompactReader& r, LogicalType* out) {
  using K = LogicalType::Kind;
  FieldReader u(r, "LogicalType", kLogicalType);
  const auto on_member = [&](FieldReader& member) -> Status {
    *out = LogicalType::Of(K::kUnrecognized);
    switch (member.id()) {
      case 1:
      case 2:
      case 3:
      case 4:
      case 6:
      case 11:
      case 12:
      case 13:
      case 14:
      case 15:
        out->kind = static_cast<K>(member.id());
        return ReadEmptyMember(member);
      case 5:
        out->kind = K::kDecimal;
        FLOE_RETURN_IF_ERROR(member.Expect(ThriftType::kStruct));
        return ReadStruct(r, "DecimalType", kDecimalType, [&](FieldReader& f) -> Status {
          switch (f.id()) {
            case 1:
              return f.ReadNonNegative(&out->scale);
            case 2:
              return f.ReadNonNegative(&out->precision);
            default:
              return f.Skip();
          }
        });
      case 7:
        out->kind = K::kTime;
        return DecodeTimeLike(member, "TimeType", out);
      case 8:
        out->kind = K::kTimestamp;
        return DecodeTimeLike(member, "TimestampType", out);
      case 10:
        out->kind = K::kInteger;
        FLOE_RETURN_IF_ERROR(member.Expect(ThriftType::kStruct));
        return ReadStruct(r, "IntType", kIntType, [&](FieldReader& f) -> Status {
          switch (f.id()) {
            case 1:
              return f.Read(&out->bit_width);
            case 2:
              return f.Read(&out->is_signed);
            default:
              return f.Skip();
          }
        });
      default:
        return member.Skip();  // a member floe does not model: kUnrecognized
    }
  };
  FLOE_RETURN_IF_ERROR(u.ReadAll(on_member));
  return CheckUnionMembers(u);
}

namespace {
constexpr FieldSpec kSchemaElement[] = {
    {1, "type", false},         {2, "type_length", false},  {3, "repetition_type", false},
    {4, "name", true},          {5, "num_children", false}, {6, "converted_type", false},
    {7, "scale", false},        {8, "precision", false},    {9, "field_id", false},
    {10, "logicalType", false},
};
}  // namespace

Status Decode(CompactReader& r, SchemaElement* out) {
  return ReadStruct(r, "SchemaElement", kSchemaElement, [&](FieldReader& f) -> Status {
    switch (f.id()) {
      case 1:
        return f.Read(&out->type);
      case 2:
        return f.ReadNonNegative(&out->type_length);
      case 3:
        return f.Read(&out->repetition_type);
      case 4:
        return f.Read(&out->name);
      case 5:
        return f.ReadNonNegative(&out->num_children);
      case 6:
        return f.Read(&out->converted_type);
      case 7:
        return f.ReadNonNegative(&out->scale);
      case 8:
        return f.ReadNonNegative(&out->precision);
      case 9:
        return f.Read(&out->field_id);
      case 10:
        return f.Read(&out->logical_type);
      default:
        return f.Skip();
    }
  });
}

namespace {
constexpr FieldSpec kPageEncodingStats[] = {
    {1, "page_type", true}, {2, "encoding", true}, {3, "count", true}};
}  // namespace

Status Decode(CompactReader& r, PageEncodingStats* out) {
  return ReadStruct(r, "PageEncodingStats", kPageEncodingStats, [&](FieldReader& f) -> Status {
    switch (f.id()) {
      case 1:
        return f.Read(&out->page_type);
      case 2:
        return f.Read(&out->encoding);
      case 3:
        return f.ReadNonNegative(&out->count);
      default:
        return f.Skip();
    }
  });
}

namespace {
constexpr FieldSpec kColumnMetaData[] = {
    {1, "type", true},
    {2, "encodings", true},
    {3, "path_in_schema", true},
    {4, "codec", true},
    {5, "num_values", true},
    {6, "total_uncompressed_size", true},
    {7, "total_compressed_size", true},
    {8, "key_value_metadata", false},
    {9, "data_page_offset", true},
    {10, "index_page_offset", false},
    {11, "dictionary_page_offset", false},
    {12, "statistics", false},
    {13, "encoding_stats", false},
    {14, "bloom_filter_offset", false},
    {15, "bloom_filter_length", false},
};
}  // namespace

Status Decode(CompactReader& r, ColumnMetaData* out) {
  return ReadStruct(r, "ColumnMetaData", kColumnMetaData, [&](FieldReader& f) -> Status {
    switch (f.id()) {
      case 1:
        return f.Read(&out->type);
      case 2:
        return f.Read(&out->encodings);
      case 3:
        return f.Read(&out->path_in_schema);
      case 4:
        return f.Read(&out->codec);
      case 5:
        return f.ReadNonNegative(&out->num_values);
      case 6:
        return f.ReadNonNegative(&out->total_uncompressed_size);
      case 7:
        return f.ReadNonNegative(&out->total_compressed_size);
      case 8:
        return f.Read(&out->key_value_metadata);
      case 9:
        return f.ReadNonNegative(&out->data_page_offset);
      case 10:
        return f.ReadNonNegative(&out->index_page_offset);
      case 11:
        return f.ReadNonNegative(&out->dictionary_page_offset);
      case 12:
        return f.Read(&out->statistics);
      case 13:
        return f.Read(&out->encoding_stats);
      case 14:
        return f.ReadNonNegative(&out->bloom_filter_offset);
      case 15:
        return f.ReadNonNegative(&out->bloom_filter_length);
      default:
        return f.Skip();  // size_statistics, geospatial_statistics, newer fields
    }
  });
}

namespace {
constexpr FieldSpec kColumnChunk[] = {
    {1, "file_path", false},           {2, "file_offset", true},
    {3, "meta_data", false},           {4, "offset_index_offset", false},
    {5, "offset_index_length", false}, {6, "column_index_offset", false},
    {7, "column_index_length", false},
};
}  // namespace

Status Decode(CompactReader& r, ColumnChunk* out) {
  return ReadStruct(r, "ColumnChunk", kColumnChunk, [&](FieldReader& f) -> Status {
    switch (f.id()) {
      case 1:
        return f.Read(&out->file_path);
      case 2:
        return f.ReadNonNegative(&out->file_offset);
      case 3:
        return f.Read(&out->meta_data);
      case 4:
        return f.ReadNonNegative(&out->offset_index_offset);
      case 5:
        return f.ReadNonNegative(&out->offset_index_length);
      case 6:
        return f.ReadNonNegative(&out->column_index_offset);
      case 7:
        return f.ReadNonNegative(&out->column_index_length);
      default:
        return f.Skip();  // crypto_metadata, encrypted_column_metadata
    }
  });
}

namespace {
constexpr FieldSpec kSortingColumn[] = {
    {1, "column_idx", true}, {2, "descending", true}, {3, "nulls_first", true}};
}  // namespace

Status Decode(CompactReader& r, SortingColumn* out) {
  return ReadStruct(r, "SortingColumn", kSortingColumn, [&](FieldReader& f) -> Status {
    switch (f.id()) {
      case 1:
        return f.ReadNonNegative(&out->column_idx);
      case 2:
        return f.Read(&out->descending);
      case 3:
        return f.Read(&out->nulls_first);
      default:
        return f.Skip();
    }
  });
}

namespace {
constexpr FieldSpec kRowGroup[] = {
    {1, "columns", true},      {2, "total_byte_size", true},
    {3, "num_rows", true},     {4, "sorting_columns", false},
    {5, "file_offset", false}, {6, "total_compressed_size", false},
    {7, "ordinal", false},
};
}  // namespace

Status Decode(CompactReader& r, RowGroup* out) {
  return ReadStruct(r, "RowGroup", kRowGroup, [&](FieldReader& f) -> Status {
    switch (f.id()) {
      case 1:
        return f.Read(&out->columns);
      case 2:
        return f.ReadNonNegative(&out->total_byte_size);
      case 3:
        return f.ReadNonNegative(&out->num_rows);
      case 4:
        return f.Read(&out->sorting_columns);
      case 5:
        return f.ReadNonNegative(&out->file_offset);
      case 6:
        return f.ReadNonNegative(&out->total_compressed_size);
      case 7:
        return f.Read(&out->ordinal);  // may wrap past 32767 row groups
      default:
        return f.Skip();
    }
  });
}

namespace {
constexpr FieldSpec kColumnOrder[] = {{1, "TYPE_ORDER", false}};
}  // namespace

// Lenient: an empty union or an unknown member is kUnknown (stats untrusted).
Status Decode(CompactReader& r, ColumnOrder* out) {
  *out = ColumnOrder::kUnknown;
  return ReadStruct(r, "ColumnOrder", kColumnOrder, [&](FieldReader& f) -> Status {
    if (f.id() == 1) {
      *out = ColumnOrder::kTypeDefined;
      return ReadEmptyMember(f);
    }
    *out = ColumnOrder::kUnknown;
    return f.Skip();
  });
}

namespace {
constexpr FieldSpec kFileMetaData[] = {
    {1, "version", true},
    {2, "schema", true},
    {3, "num_rows", true},
    {4, "row_groups", true},
    {5, "key_value_metadata", false},
    {6, "created_by", false},
    {7, "column_orders", false},
};
}  // namespace

Status Decode(CompactReader& r, FileMetaData* out) {
  return ReadStruct(r, "FileMetaData", kFileMetaData, [&](FieldReader& f) -> Status {
    switch (f.id()) {
      case 1:
        return f.Read(&out->version);
      case 2:
        return f.Read(&out->schema);
      case 3:
        return f.ReadNonNegative(&out->num_rows);
      case 4:
        return f.Read(&out->row_groups);
      case 5:
        return f.Read(&out->key_value_metadata);
      case 6:
        return f.Read(&out->created_by);
      case 7:
        return f.Read(&out->column_orders);
      default:
        return f.Skip();  // encryption_algorithm, footer_signing_key_metadata
    }
  });
}

}  // namespace internal

Result<FileMetaData> DecodeFileMetaData(std::span<const uint8_t> bytes) {
  CompactReader reader(bytes);
  FileMetaData metadata;
  FLOE_RETURN_IF_ERROR(internal::Decode(reader, &metadata).WithContext("Parquet FileMetaData"));
  return metadata;
}

}  // namespace floe::parquet
