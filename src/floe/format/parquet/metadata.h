// Parquet's file and page metadata (parquet-format's parquet.thrift) as plain
// value types, with their Thrift compact encodings.
//
// Field names follow parquet.thrift in snake_case; optional fields are
// std::optional, except optional lists, which are vectors (absent == empty, an
// empty list is not written). What floe does not model (encryption, size and
// geospatial statistics, bloom filter headers, newer logical types) is skipped
// when decoding and so not written back.
//
// Decoding checks the wire format and the required fields, wire types and
// non-negative sizes; it leaves meaning (does the schema tree add up, is an
// encoding known) to the layers above. Enum values a newer writer may add are
// kept as their numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "floe/format/parquet/parquet_types.h"
#include "floe/util/status.h"

namespace floe::parquet {

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const KeyValue&) const = default;
};

// Min/max are plain bytes in the column's PLAIN encoding (without a length
// prefix for BYTE_ARRAY). max/min are the deprecated signed-order pair.
struct Statistics {
  std::optional<std::string> max;
  std::optional<std::string> min;
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value;
  std::optional<std::string> min_value;
  std::optional<bool> is_max_value_exact;
  std::optional<bool> is_min_value_exact;
  bool operator==(const Statistics&) const = default;
};

// The TimeUnit union; the values are its field ids.
enum class TimeUnit : int16_t { kMillis = 1, kMicros = 2, kNanos = 3 };

// The LogicalType union as a kind plus the parameters of the kinds that have
// any; parameters of other kinds are left at their defaults. Kind values are
// the union's field ids.
struct LogicalType {
  enum class Kind : int16_t {
    kString = 1,
    kMap = 2,
    kList = 3,
    kEnum = 4,
    kDecimal = 5,  // scale, precision
    kDate = 6,
    kTime = 7,       // is_adjusted_to_utc, unit
    kTimestamp = 8,  // is_adjusted_to_utc, unit
    kInteger = 10,   // bit_width, is_signed
    kNull = 11,      // parquet.thrift's UNKNOWN (NullType): only nulls
    kJson = 12,
    kBson = 13,
    kUuid = 14,
    kFloat16 = 15,
    // A union member floe does not model (VARIANT, GEOMETRY, ... from newer
    // writers). Decoded so readers can tell "annotated, but not understood";
    // never encoded (the SchemaElement is written without a logical type).
    kUnrecognized = -1,
  };

  Kind kind = Kind::kString;
  int32_t scale = 0;
  int32_t precision = 0;
  bool is_adjusted_to_utc = false;
  TimeUnit unit = TimeUnit::kMillis;
  int8_t bit_width = 0;
  bool is_signed = false;

  static LogicalType Of(Kind kind) { return LogicalType{.kind = kind}; }
  static LogicalType Decimal(int32_t scale, int32_t precision) {
    return LogicalType{.kind = Kind::kDecimal, .scale = scale, .precision = precision};
  }
  static LogicalType Time(bool utc, TimeUnit unit) {
    return LogicalType{.kind = Kind::kTime, .is_adjusted_to_utc = utc, .unit = unit};
  }
  static LogicalType Timestamp(bool utc, TimeUnit unit) {
    return LogicalType{.kind = Kind::kTimestamp, .is_adjusted_to_utc = utc, .unit = unit};
  }
  static LogicalType Integer(int8_t bit_width, bool is_signed) {
    return LogicalType{.kind = Kind::kInteger, .bit_width = bit_width, .is_signed = is_signed};
  }
  bool operator==(const LogicalType&) const = default;
};

// One node of the flattened schema tree (depth-first; groups carry
// num_children, leaves carry type).
struct SchemaElement {
  std::optional<PhysicalType> type;
  std::optional<int32_t> type_length;
  std::optional<Repetition> repetition_type;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  std::optional<LogicalType> logical_type;
  bool operator==(const SchemaElement&) const = default;
};

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  std::optional<Statistics> statistics;
  bool operator==(const DataPageHeader&) const = default;
};

struct IndexPageHeader {
  bool operator==(const IndexPageHeader&) const = default;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  std::optional<bool> is_sorted;
  bool operator==(const DictionaryPageHeader&) const = default;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;  // absent on the wire means true; always written
  std::optional<Statistics> statistics;
  bool operator==(const DataPageHeaderV2&) const = default;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<int32_t> crc;
  std::optional<DataPageHeader> data_page_header;
  std::optional<IndexPageHeader> index_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;
  bool operator==(const PageHeader&) const = default;
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;
  Encoding encoding = Encoding::kPlain;
  int32_t count = 0;
  bool operator==(const PageEncodingStats&) const = default;
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kBoolean;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  std::vector<KeyValue> key_value_metadata;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
  std::vector<PageEncodingStats> encoding_stats;
  std::optional<int64_t> bloom_filter_offset;
  std::optional<int32_t> bloom_filter_length;
  bool operator==(const ColumnMetaData&) const = default;
};

struct ColumnChunk {
  std::optional<std::string> file_path;
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;  // absent only for encrypted columns
  std::optional<int64_t> offset_index_offset;
  std::optional<int32_t> offset_index_length;
  std::optional<int64_t> column_index_offset;
  std::optional<int32_t> column_index_length;
  bool operator==(const ColumnChunk&) const = default;
};

struct SortingColumn {
  int32_t column_idx = 0;
  bool descending = false;
  bool nulls_first = false;
  bool operator==(const SortingColumn&) const = default;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::vector<SortingColumn> sorting_columns;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
  bool operator==(const RowGroup&) const = default;
};

// The ColumnOrder union. kTypeDefined is the only order floe writes; any other
// member (a newer order) decodes as kUnknown, whose min/max statistics a reader
// must not trust. kUnknown encodes as an empty union.
enum class ColumnOrder : int16_t { kUnknown = 0, kTypeDefined = 1 };

struct FileMetaData {
  int32_t version = 2;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::optional<std::string> created_by;
  std::vector<ColumnOrder> column_orders;  // one per leaf column, or empty
  bool operator==(const FileMetaData&) const = default;
};

std::string EncodeFileMetaData(const FileMetaData& metadata);
// `bytes` is the footer's metadata; bytes after the struct (an encrypted
// file's plaintext-footer signature) are ignored.
Result<FileMetaData> DecodeFileMetaData(std::span<const uint8_t> bytes);

std::string EncodePageHeader(const PageHeader& header);
// Decodes the header at the start of `bytes` (which may go on into the page
// data) and sets *consumed (if not null) to the header's length in bytes.
Result<PageHeader> DecodePageHeader(std::span<const uint8_t> bytes, size_t* consumed);

}  // namespace floe::parquet
