// The Parquet reader on hand-built files held in memory (OpenMemoryInputFile):
// regressions for what fuzz/parquet_reader_fuzzer found. Each file is the
// smallest that shows the fault; every one must end in a Corruption error that
// names the file, never a crash, UB or an unjustified allocation.
#include "floe/format/parquet/file_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "floe/columnar/text_rows.h"
#include "test_bytes.h"

namespace floe::parquet {
namespace {

using floe::testing::Bytes;

struct Page {
  PageHeader header;
  std::string body;
};

// A data page v1 of `num_values` entries whose body is `body` (levels, then values).
Page DataPage(int32_t num_values, std::string body, Encoding encoding = Encoding::kPlain) {
  Page p;
  p.header.type = PageType::kDataPage;
  p.header.uncompressed_page_size = static_cast<int32_t>(body.size());
  p.header.compressed_page_size = static_cast<int32_t>(body.size());
  p.header.data_page_header.emplace();
  p.header.data_page_header->num_values = num_values;
  p.header.data_page_header->encoding = encoding;
  p.body = std::move(body);
  return p;
}

SchemaElement Root(int32_t children) {
  SchemaElement e;
  e.name = "schema";
  e.num_children = children;
  return e;
}

SchemaElement Leaf(std::string name, PhysicalType type, Repetition repetition) {
  SchemaElement e;
  e.name = std::move(name);
  e.type = type;
  e.repetition_type = repetition;
  return e;
}

// A file of one row group: `schema` (root first) and, per leaf, its pages
// written back to back (`codec` is only recorded: bodies are taken as they
// are). `num_values` of each chunk is the sum of its pages' entries.
std::string BuildFile(std::vector<SchemaElement> schema,
                      const std::vector<std::vector<Page>>& chunks, int64_t num_rows,
                      CompressionCodec codec = CompressionCodec::kUncompressed) {
  std::string file = "PAR1";
  FileMetaData md;
  md.num_rows = num_rows;
  RowGroup group;
  group.num_rows = num_rows;
  size_t leaf = 0;
  for (const SchemaElement& e : schema) {
    if (!e.type) continue;
    const std::vector<Page>& pages = chunks.at(leaf++);
    ColumnMetaData m;
    m.type = *e.type;
    m.path_in_schema = {e.name};
    m.codec = codec;
    m.data_page_offset = static_cast<int64_t>(file.size());
    for (const Page& p : pages) {
      file += EncodePageHeader(p.header) + p.body;
      if (p.header.data_page_header) m.num_values += p.header.data_page_header->num_values;
    }
    m.total_compressed_size = m.total_uncompressed_size =
        static_cast<int64_t>(file.size()) - m.data_page_offset;
    group.columns.emplace_back().meta_data = m;
  }
  md.row_groups.push_back(group);
  md.schema = std::move(schema);
  const std::string footer = EncodeFileMetaData(md);
  const auto len = static_cast<uint32_t>(footer.size());
  file += footer;
  for (int i = 0; i < 4; ++i) file.push_back(static_cast<char>(len >> (8 * i)));
  return file + "PAR1";
}

// Reads every batch of `file` and renders every row; the first error, or OK.
Status ReadAll(std::string file) {
  FLOE_ASSIGN_OR_RETURN(auto input, OpenMemoryInputFile("test.parquet", std::move(file)));
  FLOE_ASSIGN_OR_RETURN(auto reader, FileReader::Open(std::move(input)));
  FLOE_RETURN_IF_ERROR(reader->Select({}).status());
  std::string json;
  while (true) {
    FLOE_ASSIGN_OR_RETURN(RecordBatch batch, reader->Next());
    if (batch.num_rows == 0) return Status::OK();
    for (int64_t row = 0; row < batch.num_rows; ++row) AppendJsonRow(batch, row, &json);
  }
}

void ExpectCorruption(const Status& s, std::string_view fault) {
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("test.parquet"), std::string_view::npos) << s.ToString();
  EXPECT_NE(s.message().find(fault), std::string_view::npos) << s.ToString();
}

TEST(FileReaderTest, MemoryFileRoundTrip) {
  // Two required INT64 values, PLAIN.
  const std::string file =
      BuildFile({Root(1), Leaf("x", PhysicalType::kInt64, Repetition::kRequired)},
                {{DataPage(2, Bytes({1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}))}}, 2);
  auto input = OpenMemoryInputFile("test.parquet", file);
  ASSERT_TRUE(input.ok());
  auto reader = FileReader::Open(std::move(*input));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_TRUE((*reader)->Select({}).ok());
  auto batch = (*reader)->Next();
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->num_rows, 2);
  std::string json;
  AppendJsonRow(*batch, 1, &json);
  EXPECT_EQ(json, R"({"x":2})");
}

TEST(FileReaderTest, MemoryFileRejectsReadsPastTheEnd) {
  auto input = OpenMemoryInputFile("m", "abc");
  ASSERT_TRUE(input.ok());
  uint8_t out[2];
  EXPECT_TRUE((*input)->ReadAt(1, out).ok());
  EXPECT_EQ((*input)->ReadAt(2, out).code(), StatusCode::kCorruption);
  EXPECT_EQ((*input)->ReadAt(-1, out).code(), StatusCode::kCorruption);
  EXPECT_TRUE((*input)->ReadAt(3, std::span<uint8_t>()).ok());
}

// Fuzzer: an INT96 Julian day far from 1970 overflowed int64 nanoseconds (UB).
TEST(FileReaderTest, Int96OutOfRangeIsCorruption) {
  std::string value = Bytes({0, 0, 0, 0, 0, 0, 0, 0});  // nanos of day
  value += Bytes({0, 0, 0, 0x80});                      // Julian day INT32_MIN
  const std::string file =
      BuildFile({Root(1), Leaf("ts", PhysicalType::kInt96, Repetition::kRequired)},
                {{DataPage(1, value)}}, 1);
  ExpectCorruption(ReadAll(file), "INT96 timestamp out of the range");
}

// Fuzzer: TIMESTAMP_MILLIS times 1000 overflowed int64 microseconds (UB).
TEST(FileReaderTest, MillisOutOfRangeIsCorruption) {
  SchemaElement leaf = Leaf("ts", PhysicalType::kInt64, Repetition::kRequired);
  leaf.logical_type = LogicalType::Timestamp(true, TimeUnit::kMillis);
  const std::string file =
      BuildFile({Root(1), leaf}, {{DataPage(1, Bytes({0, 0, 0, 0, 0, 0, 0, 0x40}))}}, 1);
  ExpectCorruption(ReadAll(file), "millisecond timestamp out of the range");
}

SchemaElement Group(std::string name, Repetition repetition, int32_t children) {
  SchemaElement e;
  e.name = std::move(name);
  e.repetition_type = repetition;
  e.num_children = children;
  return e;
}

// optional group m (MAP) { repeated group key_value { required int32 key; optional int32 value; } }
std::vector<SchemaElement> MapSchema() {
  SchemaElement map = Group("m", Repetition::kOptional, 1);
  map.logical_type = LogicalType::Of(LogicalType::Kind::kMap);
  return {Root(1), map, Group("key_value", Repetition::kRepeated, 2),
          Leaf("key", PhysicalType::kInt32, Repetition::kRequired),
          Leaf("value", PhysicalType::kInt32, Repetition::kOptional)};
}

// Fuzzer: sibling leaves whose levels disagree about the nesting (here the
// keys say the map has two entries, the values one) left the map's value
// column shorter than its offsets, and rendering read past it (ASan).
TEST(FileReaderTest, SiblingLeavesDisagreeingAboutNestingIsCorruption) {
  // Levels are RLE with a 4-byte length prefix: rep levels first, then def.
  const std::string keys = Bytes({2, 0, 0, 0, 0x03, 0x02,  // rep 0, 1 (bit-packed)
                                  2, 0, 0, 0, 0x04, 0x02,  // def 2, 2 (run)
                                  1, 0, 0, 0, 2,    0,    0, 0});
  const std::string values = Bytes({2, 0, 0, 0, 0x02, 0x00,  // rep 0
                                    2, 0, 0, 0, 0x02, 0x03,  // def 3
                                    5, 0, 0, 0});
  ExpectCorruption(ReadAll(BuildFile(MapSchema(), {{DataPage(2, keys)}, {DataPage(1, values)}}, 1)),
                   "column m.key_value.value: levels disagree with the sibling columns' nesting");
  // The same levels on both sides read fine.
  const std::string two_values = Bytes({2, 0, 0, 0, 0x03, 0x02,  // rep 0, 1
                                        2, 0, 0, 0, 0x04, 0x03,  // def 3, 3
                                        5, 0, 0, 0, 6,    0,    0, 0});
  EXPECT_TRUE(
      ReadAll(BuildFile(MapSchema(), {{DataPage(2, keys)}, {DataPage(2, two_values)}}, 1)).ok());
}

// Found in review while fuzzing: the uncompressed size was trusted up to 1 GiB, so a
// few compressed bytes could make the reader allocate that much.
TEST(FileReaderTest, UncompressedSizeBeyondTheCodecsRatioIsCorruption) {
  for (auto codec : {CompressionCodec::kSnappy, CompressionCodec::kGzip, CompressionCodec::kZstd,
                     CompressionCodec::kBrotli, CompressionCodec::kLz4Raw}) {
    Page page = DataPage(1, std::string(16, 'x'));
    page.header.uncompressed_page_size = 600 << 20;
    const std::string file = BuildFile(
        {Root(1), Leaf("x", PhysicalType::kInt64, Repetition::kRequired)}, {{page}}, 1, codec);
    ExpectCorruption(ReadAll(file),
                     "page of 16 bytes cannot decompress to the 629145600 it claims");
  }
}

// Found in review while fuzzing: dictionary indices (a single RLE run here)
// repeated a long dictionary entry without limit.
TEST(FileReaderTest, DictionaryExpansionIsBounded) {
  Page dictionary;
  dictionary.body = Bytes({0, 0, 0x10, 0}) + std::string(1 << 20, 'x');  // one 1 MiB string
  dictionary.header.type = PageType::kDictionaryPage;
  dictionary.header.uncompressed_page_size = static_cast<int32_t>(dictionary.body.size());
  dictionary.header.compressed_page_size = static_cast<int32_t>(dictionary.body.size());
  dictionary.header.dictionary_page_header.emplace().num_values = 1;
  // Bit width 0, then one RLE run of 2048 zeros (varint 4096): 2 GiB decoded.
  const Page indices = DataPage(2048, Bytes({0, 0x80, 0x20}), Encoding::kRleDictionary);
  const std::string file =
      BuildFile({Root(1), Leaf("s", PhysicalType::kByteArray, Repetition::kRequired)},
                {{dictionary, indices}}, 2048);
  ExpectCorruption(
      ReadAll(file),
      "column s: dictionary-encoded page decodes to 2147483648 bytes, over 1073741824");
}

}  // namespace
}  // namespace floe::parquet

namespace floe::parquet {
namespace {

// Decimals stored as BYTE_ARRAY (variable-width big-endian two's complement),
// which parquet-java writes for some schemas and pyarrow never does.
TEST(FileReaderTest, ByteArrayDecimals) {
  SchemaElement d = Leaf("amount", PhysicalType::kByteArray, Repetition::kRequired);
  d.converted_type = ConvertedType::kDecimal;
  d.precision = 20;
  d.scale = 2;
  // PLAIN byte arrays: 4-byte length, then the value's big-endian bytes.
  std::string body;
  body += Bytes({1, 0, 0, 0, 0x7B});        // 123 -> 1.23
  body += Bytes({2, 0, 0, 0, 0xFF, 0x85});  // -123 -> -1.23
  body += Bytes(
      {9, 0, 0, 0, 0x00, 0x8A, 0xC7, 0x23, 0x04, 0x89, 0xE8, 0x00, 0x00});  // 10^19, 20 digits
  const std::string file = BuildFile({Root(1), d}, {{DataPage(3, body)}}, 3);
  auto input = OpenMemoryInputFile("test.parquet", file);
  ASSERT_TRUE(input.ok());
  auto reader = FileReader::Open(std::move(*input));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->file_schema().schema.fields()[0].type->ToString(), "decimal(20,2)");
  auto batch = (*reader)->Next();
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  std::string json;
  for (int64_t r = 0; r < batch->num_rows; ++r) {
    AppendJsonRow(*batch, r, &json);
    json += "\n";
  }
  EXPECT_EQ(
      json,
      "{\"amount\":\"1.23\"}\n{\"amount\":\"-1.23\"}\n{\"amount\":\"100000000000000000.00\"}\n");
}

}  // namespace
}  // namespace floe::parquet
