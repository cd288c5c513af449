// The data-file writer (table/data_file_writer.h) on real files: the
// table's write properties decide file and row-group sizes, codec and
// metrics; files roll over at the target size; the open files and the bytes
// they hold stay bounded; every row lands once.
#include "floe/table/data_file_writer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "floe/format/parquet/file_reader.h"
#include "floe/iceberg/table_builder.h"
#include "floe/io/file.h"
#include "temp_dir_test.h"

namespace floe::table {
namespace {

class DataFileWriterTest : public floe::testing::TempDirTest {
 protected:
  // A table of (id long, site string, note string) partitioned as `partition`.
  iceberg::TableMetadata Table(std::map<std::string, std::string> properties,
                               const std::string& partition = "") {
    Schema schema({{1, "id", true, Type::Long(), ""},
                   {2, "site", false, Type::String(), ""},
                   {3, "note", false, Type::String(), ""}});
    iceberg::PartitionSpec spec;
    if (!partition.empty()) {
      auto parsed = iceberg::ParsePartitionSpec(partition, schema);
      EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
      spec = *parsed;
    }
    auto m = iceberg::NewTableMetadata(schema, spec, iceberg::SortOrder{}, dir_.string(),
                                       std::move(properties));
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return *m;
  }

  // `rows` rows: id = i, site S<i % sites>, a 100-byte note.
  static RecordBatch Rows(const Schema& schema, int64_t rows, int sites) {
    RecordBatch b = RecordBatch::Empty(schema);
    for (int64_t i = 0; i < rows; ++i) {
      b.columns[0].Append<int64_t>(i);
      b.columns[1].AppendBytes(fmt::format("S{}", i % sites));
      b.columns[2].AppendBytes(std::string(100, static_cast<char>('a' + i % 26)));
    }
    b.num_rows = rows;
    return b;
  }

  static std::vector<iceberg::DataFile> Write(const iceberg::TableMetadata& m,
                                              const RecordBatch& batch,
                                              DataWriteOptions* options = nullptr) {
    std::unique_ptr<DataFileWriter> w;
    if (options != nullptr) {
      w = std::make_unique<DataFileWriter>(LocalFileIO(), m, *m.DefaultSpec(), *options);
    } else {
      auto opened = DataFileWriter::Open(LocalFileIO(), m, *m.DefaultSpec());
      EXPECT_TRUE(opened.ok()) << opened.status().ToString();
      w = *std::move(opened);
    }
    EXPECT_TRUE(w->Add(batch).ok());
    auto files = w->Finish();
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return *files;
  }

  static std::unique_ptr<parquet::FileReader> Reader(const iceberg::DataFile& f) {
    auto in = OpenLocalInputFile(f.file_path);
    EXPECT_TRUE(in.ok());
    auto r = parquet::FileReader::Open(*std::move(in));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *std::move(r);
  }
};

TEST_F(DataFileWriterTest, FilesRollOverAtTheTargetSizeAndKeepEveryRow) {
  auto m = Table({{"write.target-file-size-bytes", "200000"},
                  {"write.parquet.row-group-size-bytes", "50000"},
                  {"write.parquet.compression-codec", "snappy"}});
  const auto files = Write(m, Rows(*m.CurrentSchema(), 200'000, 4));
  ASSERT_GT(files.size(), 2u);  // ~20 MB of values at a 200 KB target
  int64_t rows = 0;
  std::set<int64_t> ids;
  for (const iceberg::DataFile& f : files) {
    rows += f.record_count;
    auto reader = Reader(f);
    EXPECT_GT(reader->metadata().row_groups.size(), 0u);
    for (const auto& group : reader->metadata().row_groups) {
      for (const auto& chunk : group.columns) {
        EXPECT_EQ(chunk.meta_data->codec, parquet::CompressionCodec::kSnappy);
      }
    }
    while (true) {
      auto batch = reader->Next();
      ASSERT_TRUE(batch.ok());
      if (batch->num_rows == 0) break;
      for (int64_t r = 0; r < batch->num_rows; ++r) ids.insert(batch->columns[0].Value<int64_t>(r));
    }
  }
  EXPECT_EQ(rows, 200'000);
  EXPECT_EQ(ids.size(), 200'000u);
}

TEST_F(DataFileWriterTest, OpenFilesAreBoundedAndRowGroupsCutToStayInTheBudget) {
  auto m = Table({}, "site");
  auto options = DataWriteOptions::FromProperties(m.properties, *m.CurrentSchema());
  ASSERT_TRUE(options.ok());
  options->max_open_files = 4;
  options->max_buffered_bytes = 1 << 20;  // 1 MiB for all open files
  // Rows cycle through 10 partitions: more than may be open at once.
  const auto files = Write(m, Rows(*m.CurrentSchema(), 100'000, 10), &*options);
  std::set<std::string> partitions;
  int64_t rows = 0;
  size_t row_groups = 0;
  for (const iceberg::DataFile& f : files) {
    partitions.insert(std::filesystem::path(f.file_path).parent_path().string());
    rows += f.record_count;
    row_groups += Reader(f)->metadata().row_groups.size();
  }
  EXPECT_EQ(partitions.size(), 10u);
  EXPECT_EQ(rows, 100'000);
  // The default 128 MiB row groups would give one per file; the budget cut more.
  EXPECT_GT(row_groups, files.size());
}

TEST_F(DataFileWriterTest, MetricsFollowTheTableModes) {
  auto m = Table({{"write.metadata.metrics.default", "counts"},
                  {"write.metadata.metrics.column.note", "truncate(4)"},
                  {"write.metadata.metrics.column.id", "full"}});
  const auto files = Write(m, Rows(*m.CurrentSchema(), 100, 3));
  ASSERT_EQ(files.size(), 1u);
  const iceberg::DataFile& f = files[0];
  EXPECT_TRUE(f.lower_bounds.contains(1));   // id: full
  EXPECT_FALSE(f.lower_bounds.contains(2));  // site: counts
  EXPECT_TRUE(f.value_counts.contains(2));
  ASSERT_TRUE(f.lower_bounds.contains(3));  // note: truncate(4)
  EXPECT_EQ(f.lower_bounds.at(3), "aaaa");
  EXPECT_EQ(f.upper_bounds.at(3), "zzz{");  // "zzzz..." cut to 4, last character incremented

  auto none = Table({{"write.metadata.metrics.default", "none"}});
  const auto bare = Write(none, Rows(*none.CurrentSchema(), 10, 1));
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_TRUE(bare[0].value_counts.empty() && bare[0].lower_bounds.empty());
  EXPECT_EQ(bare[0].record_count, 10);
}

TEST_F(DataFileWriterTest, MalformedWritePropertiesAreClearErrors) {
  auto m = Table({{"write.target-file-size-bytes", "-5"}});
  auto w = DataFileWriter::Open(LocalFileIO(), m, *m.DefaultSpec());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(w.status().message().find("write.target-file-size-bytes"), std::string::npos);
  auto codec = Table({{"write.parquet.compression-codec", "lzo"}});
  EXPECT_EQ(DataFileWriter::Open(LocalFileIO(), codec, *codec.DefaultSpec()).status().code(),
            StatusCode::kInvalidArgument);
  auto mode = Table({{"write.metadata.metrics.default", "truncate(0)"}});
  EXPECT_EQ(DataFileWriter::Open(LocalFileIO(), mode, *mode.DefaultSpec()).status().code(),
            StatusCode::kInvalidArgument);
}

// Issue 11, item 9: more than 2 GiB of strings in one column used to wrap
// its 32-bit offsets; the column now refuses the value and the writer the
// column.
TEST(ColumnTest, BytesPastTheOffsetLimitAreRefusedNotWrapped) {
  Column c(Type::String());
  const std::string mib(1 << 20, 'x');
  for (int i = 0; i < 2047; ++i) c.AppendBytes(mib);
  EXPECT_FALSE(c.overflowed());
  c.AppendBytes(mib);  // 2048 MiB > 2^31 - 1 bytes
  EXPECT_TRUE(c.overflowed());
  EXPECT_EQ(c.length(), 2048);
  EXPECT_EQ(c.Bytes(2046).size(), mib.size());
  EXPECT_EQ(c.Bytes(2047).size(), 0u);  // not stored, and the offsets stay consistent
}

}  // namespace
}  // namespace floe::table
