#include "floe/format/parquet/metadata.h"

#include <gtest/gtest.h>

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "floe/format/parquet/thrift_compact.h"

namespace floe::parquet {
namespace {

using K = LogicalType::Kind;

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string Hex(const std::string& s) {
  std::string out;
  for (unsigned char c : s) out += fmt::format("{:02x}", c);
  return out;
}

Statistics FullStatistics() {
  Statistics s;
  s.max = std::string("\xff\x00z", 3);
  s.min = "a";
  s.null_count = 3;
  s.distinct_count = 1'000'000'000'000;
  s.max_value = "zz";
  s.min_value = "";
  s.is_max_value_exact = true;
  s.is_min_value_exact = false;
  return s;
}

SchemaElement Leaf(std::string name, PhysicalType type, std::optional<LogicalType> logical) {
  SchemaElement e;
  e.name = std::move(name);
  e.type = type;
  e.repetition_type = Repetition::kOptional;
  e.logical_type = logical;
  return e;
}

FileMetaData FullFileMetaData() {
  FileMetaData md;
  md.version = 2;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 17;
  md.schema.push_back(root);
  md.schema.push_back(Leaf("s", PhysicalType::kByteArray, LogicalType::Of(K::kString)));
  md.schema.back().converted_type = ConvertedType::kUtf8;
  md.schema.back().field_id = 7;
  md.schema.push_back(Leaf("d", PhysicalType::kFixedLenByteArray, LogicalType::Decimal(2, 38)));
  md.schema.back().type_length = 16;
  md.schema.back().scale = 2;
  md.schema.back().precision = 38;
  md.schema.back().converted_type = ConvertedType::kDecimal;
  md.schema.push_back(Leaf("t", PhysicalType::kInt64, LogicalType::Time(true, TimeUnit::kMicros)));
  md.schema.push_back(
      Leaf("ts", PhysicalType::kInt64, LogicalType::Timestamp(false, TimeUnit::kNanos)));
  md.schema.push_back(
      Leaf("ts2", PhysicalType::kInt64, LogicalType::Timestamp(true, TimeUnit::kMillis)));
  md.schema.push_back(Leaf("i", PhysicalType::kInt32, LogicalType::Integer(16, false)));
  md.schema.push_back(Leaf("i8", PhysicalType::kInt32, LogicalType::Integer(8, true)));
  for (K kind : {K::kMap, K::kList, K::kEnum, K::kDate, K::kNull, K::kJson, K::kBson, K::kUuid,
                 K::kFloat16}) {
    md.schema.push_back(Leaf("k", PhysicalType::kByteArray, LogicalType::Of(kind)));
  }
  md.schema.push_back(Leaf("plain", PhysicalType::kDouble, std::nullopt));
  md.schema.back().repetition_type = Repetition::kRequired;
  md.num_rows = 12345678901;

  for (int g = 0; g < 2; ++g) {
    RowGroup rg;
    for (int c = 0; c < 2; ++c) {
      ColumnChunk cc;
      cc.file_path = c == 0 ? std::optional<std::string>("other.parquet") : std::nullopt;
      cc.file_offset = 4 + c;
      ColumnMetaData cm;
      cm.type = PhysicalType::kInt64;
      cm.encodings = {Encoding::kPlain, Encoding::kRleDictionary, Encoding::kRle};
      cm.path_in_schema = {"a", "b"};
      cm.codec = CompressionCodec::kZstd;
      cm.num_values = 100;
      cm.total_uncompressed_size = 2000;
      cm.total_compressed_size = 1000;
      cm.key_value_metadata = {{"k", "v"}, {"nul", std::nullopt}};
      cm.data_page_offset = 4;
      cm.index_page_offset = 5;
      cm.dictionary_page_offset = 6;
      cm.statistics = FullStatistics();
      cm.encoding_stats = {{PageType::kDictionaryPage, Encoding::kPlain, 1},
                           {PageType::kDataPage, Encoding::kRleDictionary, 9}};
      cm.bloom_filter_offset = 777;
      cm.bloom_filter_length = 64;
      cc.meta_data = cm;
      cc.offset_index_offset = 5000;
      cc.offset_index_length = 20;
      cc.column_index_offset = 5020;
      cc.column_index_length = 30;
      rg.columns.push_back(cc);
    }
    rg.total_byte_size = 3000;
    rg.num_rows = 100;
    rg.sorting_columns = {{0, true, false}, {1, false, true}};
    rg.file_offset = 4;
    rg.total_compressed_size = 2000;
    rg.ordinal = static_cast<int16_t>(g);
    md.row_groups.push_back(rg);
  }
  md.key_value_metadata = {{"iceberg.schema", "{}"}, {"empty", ""}};
  md.created_by = "floe version 0.1.0";
  md.column_orders = {ColumnOrder::kTypeDefined, ColumnOrder::kUnknown};
  return md;
}

std::vector<PageHeader> EveryPageHeader() {
  std::vector<PageHeader> out;
  PageHeader v1;
  v1.type = PageType::kDataPage;
  v1.uncompressed_page_size = 1 << 20;
  v1.compressed_page_size = 1000;
  v1.crc = -123456;
  v1.data_page_header = DataPageHeader{100, Encoding::kRleDictionary, Encoding::kRle,
                                       Encoding::kBitPacked, FullStatistics()};
  out.push_back(v1);
  PageHeader index;
  index.type = PageType::kIndexPage;
  index.uncompressed_page_size = 0;
  index.compressed_page_size = 0;
  index.index_page_header = IndexPageHeader{};
  out.push_back(index);
  PageHeader dict;
  dict.type = PageType::kDictionaryPage;
  dict.uncompressed_page_size = 10;
  dict.compressed_page_size = 10;
  dict.dictionary_page_header = DictionaryPageHeader{3, Encoding::kPlain, true};
  out.push_back(dict);
  PageHeader v2;
  v2.type = PageType::kDataPageV2;
  v2.uncompressed_page_size = 400;
  v2.compressed_page_size = 300;
  v2.data_page_header_v2 =
      DataPageHeaderV2{50, 5, 40, Encoding::kDeltaBinaryPacked, 12, 7, false, FullStatistics()};
  out.push_back(v2);
  return out;
}

TEST(MetadataTest, FullFileMetaDataRoundTrips) {
  const FileMetaData md = FullFileMetaData();
  const std::string bytes = EncodeFileMetaData(md);
  auto decoded = DecodeFileMetaData(Bytes(bytes));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, md);
  EXPECT_EQ(EncodeFileMetaData(*decoded), bytes);
}

TEST(MetadataTest, EveryPageHeaderKindRoundTrips) {
  for (const PageHeader& header : EveryPageHeader()) {
    const std::string bytes = EncodePageHeader(header);
    // Page data follows the header; consumed must stop at the header's end.
    const std::string with_data = bytes + "PAGE DATA\x00\x15";
    size_t consumed = 0;
    auto decoded = DecodePageHeader(Bytes(with_data), &consumed);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, header);
    EXPECT_EQ(consumed, bytes.size());
  }
}

TEST(MetadataTest, PageHeaderBytesFollowTheSpec) {
  PageHeader dict;
  dict.type = PageType::kDictionaryPage;
  dict.uncompressed_page_size = 10;
  dict.compressed_page_size = 10;
  dict.dictionary_page_header = DictionaryPageHeader{3, Encoding::kPlain, std::nullopt};
  // type=2, sizes 10 and 10, field 7 (delta 4) struct {num_values 3, encoding 0}.
  EXPECT_EQ(Hex(EncodePageHeader(dict)),
            "150415141514"
            "4c"
            "15061500"
            "00"
            "00");
}

TEST(MetadataTest, DataPageHeaderV2IsCompressedDefaultsToTrue) {
  CompactWriter w;
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kI32, 1);
  w.WriteI32(static_cast<int32_t>(PageType::kDataPageV2));
  w.WriteFieldBegin(ThriftType::kI32, 2);
  w.WriteI32(10);
  w.WriteFieldBegin(ThriftType::kI32, 3);
  w.WriteI32(10);
  w.WriteFieldBegin(ThriftType::kStruct, 8);
  w.WriteStructBegin();
  for (int16_t id = 1; id <= 6; ++id) {
    w.WriteFieldBegin(ThriftType::kI32, id);
    w.WriteI32(0);
  }
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldStop();
  w.WriteStructEnd();
  size_t consumed = 0;
  auto decoded = DecodePageHeader(Bytes(w.buffer()), &consumed);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_TRUE(decoded->data_page_header_v2.has_value());
  EXPECT_TRUE(decoded->data_page_header_v2->is_compressed);
}

// Writes one unknown field of every type with ids from `first_id` up.
void WriteUnknownFields(CompactWriter& w, int16_t first_id) {
  int16_t id = first_id;
  w.WriteFieldBegin(ThriftType::kBool, id++);
  w.WriteBool(true);
  w.WriteFieldBegin(ThriftType::kI8, id++);
  w.WriteI8(1);
  w.WriteFieldBegin(ThriftType::kI16, id++);
  w.WriteI16(-2);
  w.WriteFieldBegin(ThriftType::kI32, id++);
  w.WriteI32(3);
  w.WriteFieldBegin(ThriftType::kI64, id++);
  w.WriteI64(-4);
  w.WriteFieldBegin(ThriftType::kDouble, id++);
  w.WriteDouble(5.5);
  w.WriteFieldBegin(ThriftType::kBinary, id++);
  w.WriteBinary("six");
  w.WriteFieldBegin(ThriftType::kList, id++);
  w.WriteListBegin(ThriftType::kStruct, 1);
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kBinary, 1);
  w.WriteBinary("seven");
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldBegin(ThriftType::kSet, id++);
  w.WriteSetBegin(ThriftType::kI64, 2);
  w.WriteI64(8);
  w.WriteI64(9);
  w.WriteFieldBegin(ThriftType::kMap, id++);
  w.WriteMapBegin(ThriftType::kBinary, ThriftType::kStruct, 1);
  w.WriteBinary("ten");
  w.WriteStructBegin();
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldBegin(ThriftType::kStruct, id++);
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kBool, 1);
  w.WriteBool(false);
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldBegin(ThriftType::kUuid, id++);
  w.WriteUuid({});
}

TEST(MetadataTest, UnknownFieldsOfEveryTypeAreSkipped) {
  // A data page header whose PageHeader and DataPageHeader both carry newer
  // fields before, between and after the known ones.
  CompactWriter w;
  w.WriteStructBegin();
  WriteUnknownFields(w, -20);  // negative ids: long form headers
  w.WriteFieldBegin(ThriftType::kI32, 1);
  w.WriteI32(0);
  w.WriteFieldBegin(ThriftType::kI32, 2);
  w.WriteI32(100);
  w.WriteFieldBegin(ThriftType::kI32, 3);
  w.WriteI32(50);
  w.WriteFieldBegin(ThriftType::kStruct, 5);
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kI32, 1);
  w.WriteI32(7);
  WriteUnknownFields(w, 100);
  w.WriteFieldBegin(ThriftType::kI32, 2);
  w.WriteI32(0);
  w.WriteFieldBegin(ThriftType::kI32, 3);
  w.WriteI32(3);
  w.WriteFieldBegin(ThriftType::kI32, 4);
  w.WriteI32(3);
  w.WriteFieldStop();
  w.WriteStructEnd();
  WriteUnknownFields(w, 9);  // right after the known ones: short headers
  w.WriteFieldStop();
  w.WriteStructEnd();
  const std::string bytes = w.buffer();

  size_t consumed = 0;
  auto decoded = DecodePageHeader(Bytes(bytes), &consumed);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(consumed, bytes.size());
  PageHeader want;
  want.uncompressed_page_size = 100;
  want.compressed_page_size = 50;
  want.data_page_header = DataPageHeader{7, Encoding::kPlain, Encoding::kRle, Encoding::kRle, {}};
  EXPECT_EQ(*decoded, want);
}

// FileMetaData with one row group of one column whose ColumnMetaData fields
// are written by `column`.
std::string FileWithColumn(const std::function<void(CompactWriter&)>& column) {
  CompactWriter w;
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kI32, 1);
  w.WriteI32(1);
  w.WriteFieldBegin(ThriftType::kList, 2);
  w.WriteListBegin(ThriftType::kStruct, 1);
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kBinary, 4);
  w.WriteBinary("root");
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldBegin(ThriftType::kI64, 3);
  w.WriteI64(0);
  w.WriteFieldBegin(ThriftType::kList, 4);
  w.WriteListBegin(ThriftType::kStruct, 1);
  w.WriteStructBegin();  // RowGroup
  w.WriteFieldBegin(ThriftType::kList, 1);
  w.WriteListBegin(ThriftType::kStruct, 1);
  w.WriteStructBegin();  // ColumnChunk
  w.WriteFieldBegin(ThriftType::kI64, 2);
  w.WriteI64(4);
  w.WriteFieldBegin(ThriftType::kStruct, 3);
  w.WriteStructBegin();
  column(w);
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldBegin(ThriftType::kI64, 2);
  w.WriteI64(0);
  w.WriteFieldBegin(ThriftType::kI64, 3);
  w.WriteI64(0);
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldStop();
  w.WriteStructEnd();
  return std::move(w).Finish();
}

// Every required ColumnMetaData field, with num_values (5) written by `num_values`.
void ColumnFields(CompactWriter& w, const std::function<void(CompactWriter&)>& num_values) {
  w.WriteFieldBegin(ThriftType::kI32, 1);
  w.WriteI32(2);
  w.WriteFieldBegin(ThriftType::kList, 2);
  w.WriteListBegin(ThriftType::kI32, 2);
  w.WriteI32(0);
  w.WriteI32(99);  // an encoding floe does not know: kept
  w.WriteFieldBegin(ThriftType::kList, 3);
  w.WriteListBegin(ThriftType::kBinary, 1);
  w.WriteBinary("x");
  w.WriteFieldBegin(ThriftType::kI32, 4);
  w.WriteI32(0);
  num_values(w);
  w.WriteFieldBegin(ThriftType::kI64, 6);
  w.WriteI64(10);
  w.WriteFieldBegin(ThriftType::kI64, 7);
  w.WriteI64(10);
  w.WriteFieldBegin(ThriftType::kI64, 9);
  w.WriteI64(4);
}

TEST(MetadataTest, HandBuiltFooterDecodesAndKeepsUnknownEnumValues) {
  const std::string bytes = FileWithColumn([](CompactWriter& w) {
    ColumnFields(w, [](CompactWriter& c) {
      c.WriteFieldBegin(ThriftType::kI64, 5);
      c.WriteI64(3);
    });
  });
  auto md = DecodeFileMetaData(Bytes(bytes));
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  const ColumnMetaData& cm = *md->row_groups.at(0).columns.at(0).meta_data;
  EXPECT_EQ(cm.num_values, 3);
  EXPECT_EQ(cm.encodings, (std::vector<Encoding>{Encoding::kPlain, static_cast<Encoding>(99)}));
  EXPECT_EQ(cm.path_in_schema, std::vector<std::string>{"x"});
}

TEST(MetadataTest, WrongWireTypeNamesStructAndField) {
  const std::string bytes = FileWithColumn([](CompactWriter& w) {
    ColumnFields(w, [](CompactWriter& c) {
      c.WriteFieldBegin(ThriftType::kBinary, 5);
      c.WriteBinary("3");
    });
  });
  auto md = DecodeFileMetaData(Bytes(bytes));
  ASSERT_EQ(md.status().code(), StatusCode::kCorruption);
  EXPECT_NE(md.status().message().find("ColumnMetaData.num_values: expected i64, got binary"),
            std::string_view::npos)
      << md.status().ToString();
}

TEST(MetadataTest, WrongListElementTypeIsAnError) {
  const std::string bytes = FileWithColumn([](CompactWriter& w) {
    ColumnFields(w, [](CompactWriter& c) {
      c.WriteFieldBegin(ThriftType::kI64, 5);
      c.WriteI64(3);
      c.WriteFieldBegin(ThriftType::kList, 8);  // key_value_metadata as list<i32>
      c.WriteListBegin(ThriftType::kI32, 1);
      c.WriteI32(1);
    });
  });
  auto md = DecodeFileMetaData(Bytes(bytes));
  ASSERT_EQ(md.status().code(), StatusCode::kCorruption);
  EXPECT_NE(md.status().message().find(
                "ColumnMetaData.key_value_metadata: expected list<struct>, got list<i32>"),
            std::string_view::npos)
      << md.status().ToString();
}

TEST(MetadataTest, MissingRequiredFieldsAreNamed) {
  const std::string bytes = FileWithColumn([](CompactWriter& w) {
    ColumnFields(w, [](CompactWriter&) {});  // no num_values
  });
  auto md = DecodeFileMetaData(Bytes(bytes));
  ASSERT_EQ(md.status().code(), StatusCode::kCorruption);
  EXPECT_NE(md.status().message().find("ColumnMetaData: missing required field(s) num_values"),
            std::string_view::npos)
      << md.status().ToString();

  CompactWriter w;
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kI32, 2);
  w.WriteI32(10);
  w.WriteFieldStop();
  w.WriteStructEnd();
  size_t consumed = 0;
  auto header = DecodePageHeader(Bytes(w.buffer()), &consumed);
  ASSERT_EQ(header.status().code(), StatusCode::kCorruption);
  EXPECT_NE(header.status().message().find("PageHeader: missing required field(s) type, "
                                           "compressed_page_size"),
            std::string_view::npos)
      << header.status().ToString();
}

TEST(MetadataTest, NegativeSizesAreRejected) {
  PageHeader header = EveryPageHeader()[0];
  header.compressed_page_size = -1;
  size_t consumed = 0;
  auto decoded = DecodePageHeader(Bytes(EncodePageHeader(header)), &consumed);
  ASSERT_EQ(decoded.status().code(), StatusCode::kCorruption);
  EXPECT_NE(decoded.status().message().find("PageHeader.compressed_page_size: negative value -1"),
            std::string_view::npos)
      << decoded.status().ToString();

  FileMetaData md = FullFileMetaData();
  md.row_groups[1].columns[0].meta_data->num_values = -5;
  EXPECT_EQ(DecodeFileMetaData(Bytes(EncodeFileMetaData(md))).status().code(),
            StatusCode::kCorruption);
  md = FullFileMetaData();
  md.num_rows = -1;
  EXPECT_EQ(DecodeFileMetaData(Bytes(EncodeFileMetaData(md))).status().code(),
            StatusCode::kCorruption);
}

TEST(MetadataTest, TruncationAtEveryOffsetIsAnError) {
  const std::string footer = EncodeFileMetaData(FullFileMetaData());
  for (size_t n = 0; n < footer.size(); ++n) {
    auto md = DecodeFileMetaData(Bytes(footer).first(n));
    EXPECT_EQ(md.status().code(), StatusCode::kCorruption) << "prefix " << n;
  }
  for (const PageHeader& header : EveryPageHeader()) {
    const std::string bytes = EncodePageHeader(header);
    for (size_t n = 0; n < bytes.size(); ++n) {
      size_t consumed = 0;
      auto decoded = DecodePageHeader(Bytes(bytes).first(n), &consumed);
      EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption) << "prefix " << n;
    }
  }
}

TEST(MetadataTest, CorruptedBytesNeverCrash) {
  const std::string footer = EncodeFileMetaData(FullFileMetaData());
  for (size_t i = 0; i < footer.size(); ++i) {
    for (uint8_t v : {0x00, 0x01, 0x19, 0x7F, 0x80, 0xF9, 0xFF}) {
      std::string mutated = footer;
      mutated[i] = static_cast<char>(v);
      (void)DecodeFileMetaData(Bytes(mutated));
    }
  }
}

TEST(MetadataTest, HugeListSizeIsAnErrorNotAnAllocation) {
  CompactWriter w;
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kI32, 1);
  w.WriteI32(1);
  w.WriteFieldBegin(ThriftType::kList, 2);
  w.WriteListBegin(ThriftType::kStruct, 1'000'000'000);
  const std::string bytes = w.buffer() + std::string(10, '\0');
  auto md = DecodeFileMetaData(Bytes(bytes));
  EXPECT_EQ(md.status().code(), StatusCode::kCorruption);
}

TEST(MetadataTest, DeeplyNestedUnknownFieldIsAnError) {
  CompactWriter w;
  w.WriteStructBegin();
  for (int i = 0; i < 200; ++i) {
    w.WriteFieldBegin(ThriftType::kStruct, 50);
    w.WriteStructBegin();
  }
  for (int i = 0; i < 200; ++i) {
    w.WriteFieldStop();
    w.WriteStructEnd();
  }
  w.WriteFieldStop();
  w.WriteStructEnd();
  size_t consumed = 0;
  auto header = DecodePageHeader(Bytes(w.buffer()), &consumed);
  ASSERT_EQ(header.status().code(), StatusCode::kCorruption);
  EXPECT_NE(header.status().message().find("nesting"), std::string_view::npos);
}

TEST(MetadataTest, TrailingBytesAfterTheFooterAreIgnored) {
  const FileMetaData md = FullFileMetaData();
  const std::string bytes = EncodeFileMetaData(md) + std::string(28, '\x5a');  // a signature
  auto decoded = DecodeFileMetaData(Bytes(bytes));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, md);
}

// FileMetaData whose single schema element carries a logicalType union
// written by `union_fields`.
std::string FileWithLogicalType(const std::function<void(CompactWriter&)>& union_fields) {
  CompactWriter w;
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kI32, 1);
  w.WriteI32(1);
  w.WriteFieldBegin(ThriftType::kList, 2);
  w.WriteListBegin(ThriftType::kStruct, 1);
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kBinary, 4);
  w.WriteBinary("v");
  w.WriteFieldBegin(ThriftType::kStruct, 10);
  w.WriteStructBegin();
  union_fields(w);
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldStop();
  w.WriteStructEnd();
  w.WriteFieldBegin(ThriftType::kI64, 3);
  w.WriteI64(0);
  w.WriteFieldBegin(ThriftType::kList, 4);
  w.WriteListBegin(ThriftType::kStruct, 0);
  w.WriteFieldStop();
  w.WriteStructEnd();
  return std::move(w).Finish();
}

TEST(MetadataTest, UnknownLogicalTypesDecodeAsUnrecognized) {
  // VARIANT (16) with its specification_version.
  const std::string variant = FileWithLogicalType([](CompactWriter& w) {
    w.WriteFieldBegin(ThriftType::kStruct, 16);
    w.WriteStructBegin();
    w.WriteFieldBegin(ThriftType::kI8, 1);
    w.WriteI8(1);
    w.WriteFieldStop();
    w.WriteStructEnd();
  });
  auto md = DecodeFileMetaData(Bytes(variant));
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  ASSERT_TRUE(md->schema[0].logical_type.has_value());
  EXPECT_EQ(md->schema[0].logical_type->kind, K::kUnrecognized);
  // Re-encoding leaves the annotation out rather than inventing one.
  auto again = DecodeFileMetaData(Bytes(EncodeFileMetaData(*md)));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->schema[0].logical_type.has_value());

  // A TIMESTAMP with a unit from the future.
  const std::string future_unit = FileWithLogicalType([](CompactWriter& w) {
    w.WriteFieldBegin(ThriftType::kStruct, 8);
    w.WriteStructBegin();
    w.WriteFieldBegin(ThriftType::kBool, 1);
    w.WriteBool(true);
    w.WriteFieldBegin(ThriftType::kStruct, 2);
    w.WriteStructBegin();
    w.WriteFieldBegin(ThriftType::kStruct, 4);  // PICOS?
    w.WriteStructBegin();
    w.WriteFieldStop();
    w.WriteStructEnd();
    w.WriteFieldStop();
    w.WriteStructEnd();
    w.WriteFieldStop();
    w.WriteStructEnd();
  });
  md = DecodeFileMetaData(Bytes(future_unit));
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(md->schema[0].logical_type->kind, K::kUnrecognized);
}

TEST(MetadataTest, MalformedLogicalTypeUnionsAreErrors) {
  const std::string empty = FileWithLogicalType([](CompactWriter&) {});
  auto md = DecodeFileMetaData(Bytes(empty));
  ASSERT_EQ(md.status().code(), StatusCode::kCorruption);
  EXPECT_NE(md.status().message().find("LogicalType: empty union"), std::string_view::npos);

  const std::string two = FileWithLogicalType([](CompactWriter& w) {
    for (int16_t id : {1, 6}) {
      w.WriteFieldBegin(ThriftType::kStruct, id);
      w.WriteStructBegin();
      w.WriteFieldStop();
      w.WriteStructEnd();
    }
  });
  EXPECT_EQ(DecodeFileMetaData(Bytes(two)).status().code(), StatusCode::kCorruption);

  const std::string decimal_missing_precision = FileWithLogicalType([](CompactWriter& w) {
    w.WriteFieldBegin(ThriftType::kStruct, 5);
    w.WriteStructBegin();
    w.WriteFieldBegin(ThriftType::kI32, 1);
    w.WriteI32(2);
    w.WriteFieldStop();
    w.WriteStructEnd();
  });
  md = DecodeFileMetaData(Bytes(decimal_missing_precision));
  ASSERT_EQ(md.status().code(), StatusCode::kCorruption);
  EXPECT_NE(md.status().message().find("DecimalType: missing required field(s) precision"),
            std::string_view::npos)
      << md.status().ToString();
}

TEST(MetadataTest, UnknownColumnOrderDecodesAsUnknown) {
  CompactWriter w;
  w.WriteStructBegin();
  w.WriteFieldBegin(ThriftType::kI32, 1);
  w.WriteI32(1);
  w.WriteFieldBegin(ThriftType::kList, 2);
  w.WriteListBegin(ThriftType::kStruct, 0);
  w.WriteFieldBegin(ThriftType::kI64, 3);
  w.WriteI64(0);
  w.WriteFieldBegin(ThriftType::kList, 4);
  w.WriteListBegin(ThriftType::kStruct, 0);
  w.WriteFieldBegin(ThriftType::kList, 7);
  w.WriteListBegin(ThriftType::kStruct, 2);
  for (int16_t id : {2, 1}) {  // IEEE_754_TOTAL_ORDER, TYPE_ORDER
    w.WriteStructBegin();
    w.WriteFieldBegin(ThriftType::kStruct, id);
    w.WriteStructBegin();
    w.WriteFieldStop();
    w.WriteStructEnd();
    w.WriteFieldStop();
    w.WriteStructEnd();
  }
  w.WriteFieldStop();
  w.WriteStructEnd();
  auto md = DecodeFileMetaData(Bytes(w.buffer()));
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(md->column_orders,
            (std::vector<ColumnOrder>{ColumnOrder::kUnknown, ColumnOrder::kTypeDefined}));
}

}  // namespace
}  // namespace floe::parquet
