#include "floe/format/parquet/iceberg_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "floe/columnar/text_rows.h"
#include "floe/format/parquet/file_reader.h"
#include "floe/util/decimal.h"
#include "test_bytes.h"

namespace floe::parquet {
namespace {

using floe::testing::Bytes;

template <typename T>
std::string Le(T v) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &v, sizeof(T));
  return out;
}

LeafColumn Leaf(TypePtr type, PhysicalType physical,
                ValueConversion conversion = ValueConversion::kNone) {
  LeafColumn leaf;
  leaf.type = std::move(type);
  leaf.physical = physical;
  leaf.conversion = conversion;
  return leaf;
}

// --- single-value binary forms ---------------------------------------------------------

TEST(IcebergBoundTest, FixedWidthTypesAreLittleEndian) {
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::Int(), PhysicalType::kInt32), Le<int32_t>(-2)),
            Bytes({0xFE, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::Date(), PhysicalType::kInt32), Le<int32_t>(1)),
            Bytes({1, 0, 0, 0}));
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::Long(), PhysicalType::kInt64), Le<int64_t>(258)),
            Bytes({2, 1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::Double(), PhysicalType::kDouble), Le(1.0)),
            Bytes({0, 0, 0, 0, 0, 0, 0xF0, 0x3F}));
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::Float(), PhysicalType::kFloat), Le(1.0f)),
            Bytes({0, 0, 0x80, 0x3F}));
  EXPECT_EQ(
      IcebergBoundFromParquet(Leaf(Type::TimestampTzNs(), PhysicalType::kInt64), Le<int64_t>(-1)),
      Le<int64_t>(-1));
  // Booleans are one byte, normalized to 0 / 1.
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::Boolean(), PhysicalType::kBoolean), Bytes({7})),
            Bytes({1}));
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::Boolean(), PhysicalType::kBoolean), Bytes({0})),
            Bytes({0}));
}

TEST(IcebergBoundTest, ConversionsOfForeignFiles) {
  // TIME_MILLIS / TIMESTAMP_MILLIS become microseconds in 8 bytes.
  EXPECT_EQ(IcebergBoundFromParquet(
                Leaf(Type::Time(), PhysicalType::kInt32, ValueConversion::kMillisToMicros),
                Le<int32_t>(1500)),
            Le<int64_t>(1500000));
  EXPECT_EQ(IcebergBoundFromParquet(
                Leaf(Type::Timestamp(), PhysicalType::kInt64, ValueConversion::kMillisToMicros),
                Le<int64_t>(-3)),
            Le<int64_t>(-3000));
  EXPECT_EQ(IcebergBoundFromParquet(
                Leaf(Type::Timestamp(), PhysicalType::kInt64, ValueConversion::kMillisToMicros),
                Le(std::numeric_limits<int64_t>::max())),
            std::nullopt);
  EXPECT_EQ(IcebergBoundFromParquet(
                Leaf(Type::Time(), PhysicalType::kInt64, ValueConversion::kNanosToMicros),
                Le<int64_t>(1999)),
            Le<int64_t>(1));
  // UINT_32 read as long: zero-extended.
  EXPECT_EQ(IcebergBoundFromParquet(
                Leaf(Type::Long(), PhysicalType::kInt32, ValueConversion::kUint32ToInt64),
                Le<uint32_t>(4000000000u)),
            Le<int64_t>(4000000000));
  // INT96 timestamps carry no usable bounds.
  EXPECT_EQ(IcebergBoundFromParquet(
                Leaf(Type::TimestampTzNs(), PhysicalType::kInt96, ValueConversion::kInt96ToNanos),
                std::string(12, '\0')),
            std::nullopt);
}

TEST(IcebergBoundTest, BytesTypesAreRaw) {
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::String(), PhysicalType::kByteArray), "h\xC3\xA9"),
            "h\xC3\xA9");
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::Binary(), PhysicalType::kByteArray), ""), "");
  const std::string uuid = Bytes({0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42,
                                  0x66, 0x14, 0x17, 0x40, 0x00});
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::Uuid(), PhysicalType::kFixedLenByteArray), uuid),
            uuid);
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::Fixed(3), PhysicalType::kFixedLenByteArray),
                                    Bytes({0xFF, 0, 1})),
            Bytes({0xFF, 0, 1}));
  // Wrong widths are malformed.
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::Fixed(3), PhysicalType::kFixedLenByteArray), "ab"),
            std::nullopt);
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::Int(), PhysicalType::kInt32), "abc"), std::nullopt);
  EXPECT_EQ(IcebergBoundFromParquet(Leaf(Type::Uuid(), PhysicalType::kFixedLenByteArray), "x"),
            std::nullopt);
}

TEST(IcebergBoundTest, DecimalsAreMinimalBigEndian) {
  const LeafColumn d9 = Leaf(Type::Decimal(9, 2), PhysicalType::kInt32);
  const LeafColumn d18 = Leaf(Type::Decimal(18, 2), PhysicalType::kInt64);
  const LeafColumn d38 = Leaf(Type::Decimal(38, 2), PhysicalType::kFixedLenByteArray);
  EXPECT_EQ(IcebergBoundFromParquet(d9, Le<int32_t>(0)), Bytes({0x00}));
  EXPECT_EQ(IcebergBoundFromParquet(d9, Le<int32_t>(127)), Bytes({0x7F}));
  EXPECT_EQ(IcebergBoundFromParquet(d9, Le<int32_t>(128)), Bytes({0x00, 0x80}));
  EXPECT_EQ(IcebergBoundFromParquet(d9, Le<int32_t>(-128)), Bytes({0x80}));
  EXPECT_EQ(IcebergBoundFromParquet(d9, Le<int32_t>(-129)), Bytes({0xFF, 0x7F}));
  EXPECT_EQ(IcebergBoundFromParquet(d9, Le<int32_t>(-1)), Bytes({0xFF}));
  EXPECT_EQ(IcebergBoundFromParquet(d18, Le<int64_t>(-32768)), Bytes({0x80, 0x00}));
  EXPECT_EQ(IcebergBoundFromParquet(d18, Le<int64_t>(65535)), Bytes({0x00, 0xFF, 0xFF}));
  // 16-byte FIXED_LEN_BYTE_ARRAY, sign-extended: shrinks to the minimal form.
  std::string wide(16, '\xFF');
  wide.back() = '\xFE';  // -2
  EXPECT_EQ(IcebergBoundFromParquet(d38, wide), Bytes({0xFE}));
  std::string big(16, '\0');
  big[0] = 0x7F;  // a large positive: all 16 bytes needed
  EXPECT_EQ(IcebergBoundFromParquet(d38, big), big);
  EXPECT_EQ(IcebergBoundFromParquet(d38, ""), std::nullopt);
}

// --- truncate(16) ----------------------------------------------------------------------

TEST(TruncateTest, ShortValuesAreWhole) {
  EXPECT_EQ(TruncateStringLowerBound("abc", 16), "abc");
  EXPECT_EQ(TruncateStringUpperBound("abc", 16), "abc");
  EXPECT_EQ(TruncateStringUpperBound("", 16), "");
  EXPECT_EQ(TruncateBinaryUpperBound(std::string(16, '\xFF'), 16), std::string(16, '\xFF'));
  // 16 code points in 48 bytes is not truncated.
  std::string cjk;
  for (int i = 0; i < 16; ++i) cjk += "\xE4\xB8\x96";  // U+4E16
  EXPECT_EQ(TruncateStringLowerBound(cjk, 16), cjk);
  EXPECT_EQ(TruncateStringUpperBound(cjk, 16), cjk);
}

TEST(TruncateTest, StringsCountCodePoints) {
  std::string s = "\xC3\xA9";  // é
  for (int i = 0; i < 20; ++i) s += "x";
  EXPECT_EQ(TruncateStringLowerBound(s, 3), "\xC3\xA9xx");
  EXPECT_EQ(TruncateStringUpperBound(s, 3), "\xC3\xA9xy");
  // 🧪 (4 bytes) is one code point; incrementing it carries within UTF-8.
  EXPECT_EQ(TruncateStringLowerBound("\xF0\x9F\xA7\xAA\xF0\x9F\xA7\xAAz", 1), "\xF0\x9F\xA7\xAA");
  EXPECT_EQ(TruncateStringUpperBound("\xF0\x9F\xA7\xAA\xF0\x9F\xA7\xAAz", 1), "\xF0\x9F\xA7\xAB");
  // U+07FF -> U+0800 changes the encoded length (2 -> 3 bytes).
  EXPECT_EQ(TruncateStringUpperBound("\xDF\xBFzz", 1), "\xE0\xA0\x80");
}

TEST(TruncateTest, MaxCodePointCannotBeIncremented) {
  const std::string max = "\xF4\x8F\xBF\xBF";  // U+10FFFF
  // The last incrementable code point is bumped; the U+10FFFF after it stays.
  EXPECT_EQ(TruncateStringUpperBound("a" + max + "tail", 2), "b" + max);
  EXPECT_EQ(TruncateStringUpperBound(max + max + max, 2), std::nullopt);
  EXPECT_EQ(TruncateStringLowerBound(max + max + max, 2), max + max);
}

TEST(TruncateTest, SurrogatesAreSkipped) {
  // U+D7FF + 1 would be a surrogate: the next scalar value is U+E000.
  EXPECT_EQ(TruncateStringUpperBound("\xED\x9F\xBFzz", 1), "\xEE\x80\x80");
  // U+FFFF -> U+10000.
  EXPECT_EQ(TruncateStringUpperBound("\xEF\xBF\xBFzz", 1), "\xF0\x90\x80\x80");
}

TEST(TruncateTest, InvalidUtf8HasNoUpperBound) {
  EXPECT_EQ(TruncateStringUpperBound("\xFF\xFEzz", 2), std::nullopt);
  EXPECT_EQ(TruncateStringUpperBound("\xED\xA0\x80zz", 1), std::nullopt);  // encoded surrogate
  EXPECT_EQ(TruncateStringLowerBound("\xFF\xFEzz", 2), "\xFF\xFE");
}

TEST(TruncateTest, Binary) {
  EXPECT_EQ(TruncateBinaryLowerBound(Bytes({1, 2, 3}), 2), Bytes({1, 2}));
  EXPECT_EQ(TruncateBinaryUpperBound(Bytes({1, 2, 3}), 2), Bytes({1, 3}));
  EXPECT_EQ(TruncateBinaryUpperBound(Bytes({1, 0xFF, 3}), 2), Bytes({2, 0xFF}));
  EXPECT_EQ(TruncateBinaryUpperBound(Bytes({0xFF, 0xFF, 0}), 2), std::nullopt);
  EXPECT_EQ(TruncateBinaryLowerBound(Bytes({0xFF, 0xFF, 0}), 2), Bytes({0xFF, 0xFF}));
}

// --- whole files -----------------------------------------------------------------------

class MetricsFileTest : public ::testing::Test {
 protected:
  // Writes `rows` (floe JSON lines) with `schema_json`; returns the writer's
  // metrics and checks that the footer's agree on everything but NaN counts.
  DataFileMetrics Write(std::string_view schema_json, const std::vector<std::string>& rows,
                        WriterOptions options = {}) {
    auto schema = SchemaFromJson(schema_json);
    EXPECT_TRUE(schema.ok()) << schema.status().ToString();
    const std::string path =
        (std::filesystem::path(::testing::TempDir()) /
         (std::to_string(::getpid()) + "-" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".parquet"))
            .string();
    auto file = CreateLocalOutputFile(path);
    EXPECT_TRUE(file.ok());
    auto writer = FileWriter::Open(*std::move(file), *schema, options);
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    RecordBatch batch = RecordBatch::Empty(*schema);
    for (const std::string& row : rows) {
      Status s = AppendJsonRowTo(row, &batch);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    EXPECT_TRUE((*writer)->Write(batch).ok());
    EXPECT_TRUE((*writer)->Close().ok());
    DataFileMetrics from_writer = MetricsFromWriter(**writer);

    auto in = OpenLocalInputFile(path);
    EXPECT_TRUE(in.ok());
    auto reader = FileReader::Open(*std::move(in));
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    auto from_footer =
        MetricsFromFooter((*reader)->metadata(), (*reader)->file_schema(), (*reader)->file_size());
    EXPECT_TRUE(from_footer.ok()) << from_footer.status().ToString();
    DataFileMetrics expected = from_writer;
    expected.nan_value_counts.clear();  // footers have none
    EXPECT_EQ(*from_footer, expected) << DataFileMetricsToJson(*from_footer) << "\n"
                                      << DataFileMetricsToJson(from_writer);
    return from_writer;
  }
};

constexpr std::string_view kFlat = R"j({"type": "struct", "fields": [
  {"id": 1, "name": "id", "required": true, "type": "long"},
  {"id": 2, "name": "f", "required": false, "type": "float"},
  {"id": 3, "name": "d", "required": false, "type": "double"},
  {"id": 4, "name": "s", "required": false, "type": "string"},
  {"id": 5, "name": "b", "required": false, "type": "binary"},
  {"id": 6, "name": "dec", "required": false, "type": "decimal(38,2)"},
  {"id": 7, "name": "flag", "required": false, "type": "boolean"}]})j";

TEST_F(MetricsFileTest, FlatColumns) {
  const DataFileMetrics m =
      Write(kFlat, {
                       R"({"id": 5, "f": 1.5, "d": "NaN", "s": "abcdefghijklmnopqrstuvwxyz",
                           "b": "////////////////////////", "dec": "-1.28", "flag": true})",
                       R"({"id": -7, "f": "NaN", "d": -2.0, "s": "abc", "dec": "1.27"})",
                       R"({"id": 0, "d": "NaN"})",
                   });
  EXPECT_EQ(m.record_count, 3);
  EXPECT_GT(m.file_size_in_bytes, 0);
  EXPECT_EQ(m.column_sizes.size(), 7u);
  for (int id = 1; id <= 7; ++id) EXPECT_EQ(m.value_counts.at(id), 3) << id;
  EXPECT_EQ(m.null_value_counts,
            (std::map<int32_t, int64_t>{{1, 0}, {2, 1}, {3, 0}, {4, 1}, {5, 2}, {6, 1}, {7, 2}}));
  // NaN counts for float/double only, from the writer.
  EXPECT_EQ(m.nan_value_counts, (std::map<int32_t, int64_t>{{2, 1}, {3, 2}}));
  EXPECT_EQ(m.lower_bounds.at(1), Le<int64_t>(-7));
  EXPECT_EQ(m.upper_bounds.at(1), Le<int64_t>(5));
  // NaN is no bound.
  EXPECT_EQ(m.lower_bounds.at(2), Le(1.5f));
  EXPECT_EQ(m.upper_bounds.at(2), Le(1.5f));
  EXPECT_EQ(m.lower_bounds.at(3), Le(-2.0));
  EXPECT_EQ(m.upper_bounds.at(3), Le(-2.0));
  EXPECT_EQ(m.lower_bounds.at(4), "abc");
  EXPECT_EQ(m.upper_bounds.at(4), "abcdefghijklmnoq");
  // 18 bytes of 0xFF: the lower bound is 16 of them, no upper bound exists.
  EXPECT_EQ(m.lower_bounds.at(5), std::string(16, '\xFF'));
  EXPECT_FALSE(m.upper_bounds.contains(5));
  EXPECT_EQ(m.lower_bounds.at(6), Bytes({0x80}));  // -128 unscaled
  EXPECT_EQ(m.upper_bounds.at(6), Bytes({0x7F}));
  EXPECT_EQ(m.lower_bounds.at(7), Bytes({1}));
  EXPECT_EQ(m.upper_bounds.at(7), Bytes({1}));
}

TEST_F(MetricsFileTest, AllNaNAndAllNullHaveNoBounds) {
  const DataFileMetrics m = Write(kFlat, {R"({"id": 1, "d": "NaN"})", R"({"id": 2, "d": "NaN"})"});
  EXPECT_EQ(m.nan_value_counts.at(3), 2);
  EXPECT_EQ(m.null_value_counts.at(3), 0);
  EXPECT_FALSE(m.lower_bounds.contains(3));
  EXPECT_FALSE(m.upper_bounds.contains(3));
  EXPECT_EQ(m.null_value_counts.at(4), 2);
  EXPECT_FALSE(m.lower_bounds.contains(4));
}

TEST_F(MetricsFileTest, ZerosBoundBothSigns) {
  // Parquet writes a zero minimum as -0.0 and a zero maximum as +0.0; under
  // Iceberg's order (-0.0 first) these bound both zeros.
  const DataFileMetrics m = Write(kFlat, {R"({"id": 1, "d": 0.0})", R"({"id": 2, "d": 0.0})"});
  EXPECT_EQ(m.lower_bounds.at(3), Le(-0.0));
  EXPECT_EQ(m.upper_bounds.at(3), Le(0.0));
}

TEST_F(MetricsFileTest, BoundsSpanRowGroups) {
  std::vector<std::string> rows;
  for (int i = 0; i < 5000; ++i) {
    rows.push_back(fmt::format(R"({{"id": {}, "d": {}.5, "s": "v{:05d}", "dec": "{}.00"}})", i,
                               2500 - i, i, i - 2500));
  }
  WriterOptions small;
  small.row_group_bytes = 4096;
  const DataFileMetrics m = Write(kFlat, rows, small);
  EXPECT_EQ(m.value_counts.at(1), 5000);
  EXPECT_EQ(m.lower_bounds.at(1), Le<int64_t>(0));
  EXPECT_EQ(m.upper_bounds.at(1), Le<int64_t>(4999));
  EXPECT_EQ(m.lower_bounds.at(3), Le(-2499.5));
  EXPECT_EQ(m.upper_bounds.at(3), Le(2500.5));
  EXPECT_EQ(m.lower_bounds.at(4), "v00000");
  EXPECT_EQ(m.upper_bounds.at(4), "v04999");
  EXPECT_EQ(m.lower_bounds.at(6), DecimalToMinimalBytes(-250000));
  EXPECT_EQ(m.upper_bounds.at(6), DecimalToMinimalBytes(249900));
}

TEST_F(MetricsFileTest, NestedFieldsGetCountsOnly) {
  constexpr std::string_view kNested = R"({"type": "struct", "fields": [
    {"id": 1, "name": "id", "required": true, "type": "int"},
    {"id": 2, "name": "tags", "required": false, "type": {
      "type": "list", "element-id": 3, "element": "double", "element-required": false}},
    {"id": 4, "name": "attrs", "required": false, "type": {
      "type": "map", "key-id": 5, "key": "string", "value-id": 6, "value": "long",
      "value-required": false}},
    {"id": 7, "name": "site", "required": false, "type": {"type": "struct", "fields": [
      {"id": 8, "name": "code", "required": true, "type": "string"}]}}]})";
  const DataFileMetrics m = Write(
      kNested, {
                   R"({"id": 1, "tags": [1.0, null, "NaN"], "attrs": [{"key": "k", "value": 1}],
                             "site": {"code": "x"}})",
                   R"({"id": 2, "tags": [], "attrs": null, "site": null})",
                   R"({"id": 3})",
               });
  // Leaves: 1, 3, 5, 6, 8. Value counts are Parquet's entries: an empty or
  // null list still takes one (null) entry.
  EXPECT_EQ(m.value_counts, (std::map<int32_t, int64_t>{{1, 3}, {3, 5}, {5, 3}, {6, 3}, {8, 3}}));
  EXPECT_EQ(m.null_value_counts,
            (std::map<int32_t, int64_t>{{1, 0}, {3, 3}, {5, 2}, {6, 2}, {8, 2}}));
  EXPECT_EQ(m.nan_value_counts, (std::map<int32_t, int64_t>{{3, 1}}));
  EXPECT_EQ(m.lower_bounds.size(), 1u);  // only the top-level id
  EXPECT_EQ(m.lower_bounds.at(1), Le<int32_t>(1));
  EXPECT_EQ(m.upper_bounds.at(1), Le<int32_t>(3));
}

TEST_F(MetricsFileTest, EmptyFileHasNoColumnMetrics) {
  const DataFileMetrics m = Write(kFlat, {});
  EXPECT_EQ(m.record_count, 0);
  EXPECT_TRUE(m.column_sizes.empty());
  EXPECT_TRUE(m.value_counts.empty());
}

// --- footers floe did not write ----------------------------------------------------------

FileSchema OneColumn(TypePtr type, PhysicalType physical) {
  FileSchema schema;
  LeafColumn leaf = Leaf(std::move(type), physical);
  leaf.path = {"c"};
  leaf.field_path = {0};
  leaf.field_id = 1;
  leaf.max_def = 1;
  leaf.unsigned_order = physical == PhysicalType::kByteArray;
  schema.leaves.push_back(leaf);
  return schema;
}

// Statistics with a null count and, when given, min_value/max_value.
Statistics Stats(int64_t nulls, std::optional<std::string> min = std::nullopt,
                 std::optional<std::string> max = std::nullopt) {
  Statistics st;
  st.null_count = nulls;
  st.min_value = std::move(min);
  st.max_value = std::move(max);
  return st;
}

// Only the deprecated (signed-order) min/max pair, as pre-2.x writers wrote.
Statistics LegacyStats(int64_t nulls, std::string min, std::string max) {
  Statistics st;
  st.null_count = nulls;
  st.min = std::move(min);
  st.max = std::move(max);
  return st;
}

RowGroup Group(int64_t values, std::optional<Statistics> stats) {
  ColumnMetaData meta;
  meta.num_values = values;
  meta.total_compressed_size = 10;
  meta.statistics = std::move(stats);
  ColumnChunk chunk;
  chunk.meta_data = std::move(meta);
  RowGroup g;
  g.num_rows = values;
  g.columns.push_back(std::move(chunk));
  return g;
}

TEST(MetricsFromFooterTest, ChunkWithoutMinMaxDropsBounds) {
  // The second chunk has values but no min/max (too long to record): the other
  // chunk's bounds would not cover them, so the file has none.
  FileMetaData meta;
  meta.num_rows = 4;
  meta.column_orders = {ColumnOrder::kTypeDefined};
  meta.row_groups.push_back(Group(2, Stats(0, "a", "b")));
  meta.row_groups.push_back(Group(2, Stats(1)));
  auto m = MetricsFromFooter(meta, OneColumn(Type::String(), PhysicalType::kByteArray), 100);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->value_counts.at(1), 4);
  EXPECT_EQ(m->null_value_counts.at(1), 1);
  EXPECT_EQ(m->column_sizes.at(1), 20);
  EXPECT_TRUE(m->lower_bounds.empty());
  EXPECT_TRUE(m->upper_bounds.empty());
  EXPECT_TRUE(m->nan_value_counts.empty());

  // An all-null chunk without min/max is fine.
  meta.row_groups[1] = Group(2, Stats(2));
  m = MetricsFromFooter(meta, OneColumn(Type::String(), PhysicalType::kByteArray), 100);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->lower_bounds.at(1), "a");
  EXPECT_EQ(m->upper_bounds.at(1), "b");
}

TEST(MetricsFromFooterTest, MissingStatisticsDropNullCountsAndBounds) {
  FileMetaData meta;
  meta.row_groups.push_back(Group(2, std::nullopt));
  auto m = MetricsFromFooter(meta, OneColumn(Type::Long(), PhysicalType::kInt64), 100);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->value_counts.at(1), 2);
  EXPECT_FALSE(m->null_value_counts.contains(1));
  EXPECT_TRUE(m->lower_bounds.empty());
}

TEST(MetricsFromFooterTest, NaNAndZeroBoundsFromOtherWriters) {
  FileMetaData meta;
  meta.column_orders = {ColumnOrder::kTypeDefined};
  // A writer that put NaN into the maximum: no bounds (spec: NaN is never a bound).
  meta.row_groups.push_back(
      Group(2, Stats(0, Le(1.0), Le(std::numeric_limits<double>::quiet_NaN()))));
  auto m = MetricsFromFooter(meta, OneColumn(Type::Double(), PhysicalType::kDouble), 100);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->lower_bounds.empty());
  EXPECT_EQ(m->null_value_counts.at(1), 0);
  // +0.0 as a minimum may hide -0.0: widened.
  meta.row_groups[0] = Group(2, Stats(0, Le(0.0), Le(-0.0)));
  m = MetricsFromFooter(meta, OneColumn(Type::Double(), PhysicalType::kDouble), 100);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->lower_bounds.at(1), Le(-0.0));
  EXPECT_EQ(m->upper_bounds.at(1), Le(0.0));
}

TEST(MetricsFromFooterTest, UntrustedOrders) {
  FileMetaData meta;
  meta.column_orders = {ColumnOrder::kUnknown};
  meta.row_groups.push_back(Group(1, Stats(0, Le<int64_t>(1), Le<int64_t>(1))));
  auto m = MetricsFromFooter(meta, OneColumn(Type::Long(), PhysicalType::kInt64), 100);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->lower_bounds.empty());
  // Legacy files: the deprecated pair is trusted for signed types only.
  meta.column_orders.clear();
  meta.row_groups[0] = Group(1, LegacyStats(0, Le<int64_t>(-9), Le<int64_t>(9)));
  m = MetricsFromFooter(meta, OneColumn(Type::Long(), PhysicalType::kInt64), 100);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->lower_bounds.at(1), Le<int64_t>(-9));
  meta.row_groups[0] = Group(1, LegacyStats(0, "a", "z"));
  m = MetricsFromFooter(meta, OneColumn(Type::String(), PhysicalType::kByteArray), 100);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->lower_bounds.empty());
}

TEST(MetricsFromFooterTest, MalformedFootersAreErrors) {
  FileMetaData meta;
  meta.column_orders = {ColumnOrder::kTypeDefined};
  meta.row_groups.push_back(Group(1, Stats(0, "abc", "abc")));
  auto m = MetricsFromFooter(meta, OneColumn(Type::Long(), PhysicalType::kInt64), 100);
  EXPECT_EQ(m.status().code(), StatusCode::kCorruption);
  meta.row_groups[0].columns.clear();
  m = MetricsFromFooter(meta, OneColumn(Type::Long(), PhysicalType::kInt64), 100);
  EXPECT_EQ(m.status().code(), StatusCode::kCorruption);
}

TEST(MetricsJsonTest, Shape) {
  DataFileMetrics m;
  m.record_count = 2;
  m.file_size_in_bytes = 9;
  m.column_sizes = {{1, 4}, {10, 5}};
  m.lower_bounds = {{1, Bytes({0x00, 0xAB})}};
  EXPECT_EQ(DataFileMetricsToJson(m),
            R"({"record_count":2,"file_size_in_bytes":9,"column_sizes":{"1":4,"10":5},)"
            R"("value_counts":{},"null_value_counts":{},"nan_value_counts":{},)"
            R"("lower_bounds":{"1":"00ab"},"upper_bounds":{}})");
}

}  // namespace
}  // namespace floe::parquet
