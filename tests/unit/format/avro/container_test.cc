#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "floe/format/avro/container_reader.h"
#include "floe/format/avro/container_writer.h"

namespace floe::avro {
namespace {

using V = AvroValue;

constexpr const char* kSchema = R"({"type":"record","name":"row","fields":[
  {"name":"id","type":"long","field-id":1},
  {"name":"name","type":["null","string"],"default":null,"field-id":2},
  {"name":"tags","type":{"type":"array","items":"string","element-id":4},"field-id":3}]})";

AvroValue Row(int64_t i) {
  std::vector<AvroValue> tags;
  for (int64_t t = 0; t < i % 3; ++t) tags.push_back(V::String(fmt::format("t{}", t)));
  return V::Record(
      {V::Long(i),
       i % 2 ? V::Union(1, V::String(fmt::format("name {}", i))) : V::Union(0, V::Null()),
       V::Array(std::move(tags))});
}

std::string TempPath(const std::string& name) {
  // Unique per process and test: ctest runs tests in parallel processes.
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  return (std::filesystem::path(::testing::TempDir()) /
          (std::to_string(::getpid()) + "-" + test->name() + "-" + std::string(name)))
      .string();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string WriteFile(AvroCodec codec, int rows, size_t block_bytes = 256) {
  const std::string path = TempPath("t.avro");
  auto schema = ParseAvroSchema(kSchema);
  EXPECT_TRUE(schema.ok());
  auto out = CreateLocalOutputFile(path);
  EXPECT_TRUE(out.ok());
  ContainerWriterOptions options;
  options.codec = codec;
  options.block_bytes = block_bytes;
  options.metadata = {{"format-version", "2"}, {"content", "data"}};
  auto writer = ContainerWriter::Open(std::move(*out), std::move(*schema), options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  for (int i = 0; i < rows; ++i) EXPECT_TRUE((*writer)->Append(Row(i)).ok());
  EXPECT_TRUE((*writer)->Close().ok());
  return ReadAll(path);
}

Result<std::vector<AvroValue>> ReadBytes(std::string bytes) {
  FLOE_ASSIGN_OR_RETURN(auto file, OpenMemoryInputFile("mem.avro", std::move(bytes)));
  FLOE_ASSIGN_OR_RETURN(auto reader, ContainerReader::Open(std::move(file)));
  std::vector<AvroValue> rows;
  AvroValue v;
  while (true) {
    FLOE_ASSIGN_OR_RETURN(bool more, reader->Next(&v));
    if (!more) break;
    rows.push_back(v);
  }
  return rows;
}

TEST(ContainerTest, EveryCodecRoundTripsWithMetadata) {
  for (AvroCodec codec :
       {AvroCodec::kNull, AvroCodec::kDeflate, AvroCodec::kSnappy, AvroCodec::kZstandard}) {
    const std::string bytes = WriteFile(codec, 500);
    ASSERT_EQ(bytes.substr(0, 4), std::string("Obj\x01", 4));
    auto file = OpenMemoryInputFile("mem.avro", bytes);
    ASSERT_TRUE(file.ok());
    auto reader = ContainerReader::Open(std::move(*file));
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    EXPECT_EQ((*reader)->codec(), codec);
    EXPECT_EQ((*reader)->Metadata("avro.codec"), AvroCodecName(codec));
    EXPECT_EQ((*reader)->Metadata("format-version"), "2");
    EXPECT_EQ((*reader)->Metadata("content"), "data");
    EXPECT_NE((*reader)->Metadata("avro.schema")->find(R"("element-id":4)"), std::string::npos);
    auto rows = ReadBytes(bytes);
    ASSERT_TRUE(rows.ok()) << AvroCodecName(codec) << ": " << rows.status().ToString();
    ASSERT_EQ(rows->size(), 500u);
    for (int i = 0; i < 500; ++i) EXPECT_EQ((*rows)[static_cast<size_t>(i)], Row(i));
  }
}

TEST(ContainerTest, EmptyFileHasOnlyAHeader) {
  auto rows = ReadBytes(WriteFile(AvroCodec::kDeflate, 0));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_TRUE(rows->empty());
}

TEST(ContainerTest, TruncationAtEveryOffsetIsAnError) {
  for (AvroCodec codec : {AvroCodec::kNull, AvroCodec::kSnappy, AvroCodec::kDeflate}) {
    const std::string bytes = WriteFile(codec, 20, 64);
    ASSERT_TRUE(ReadBytes(bytes).ok());
    for (size_t n = 0; n < bytes.size(); ++n) {
      auto rows = ReadBytes(bytes.substr(0, n));
      // A cut exactly between blocks is a valid shorter file.
      if (rows.ok()) {
        EXPECT_LT(rows->size(), 20u) << n;
      } else {
        EXPECT_EQ(rows.status().code(), StatusCode::kCorruption) << n << rows.status().ToString();
      }
    }
  }
}

TEST(ContainerTest, BadSyncMarkerIsCorruption) {
  std::string bytes = WriteFile(AvroCodec::kNull, 5);
  bytes[bytes.size() - 1] ^= 1;
  auto rows = ReadBytes(bytes);
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("sync marker"), std::string::npos)
      << rows.status().ToString();
}

TEST(ContainerTest, BadMagicAndCodecNameAreErrors) {
  std::string bytes = WriteFile(AvroCodec::kNull, 5);
  std::string magic = bytes;
  magic[3] = 2;
  EXPECT_EQ(ReadBytes(magic).status().code(), StatusCode::kCorruption);
  std::string codec = bytes;
  const size_t at = codec.find("null", codec.find("avro.codec"));
  codec.replace(at, 4, "lzma");
  auto rows = ReadBytes(codec);
  EXPECT_EQ(rows.status().code(), StatusCode::kNotSupported) << rows.status().ToString();
}

TEST(ContainerTest, CorruptSnappyChecksumIsCorruption) {
  std::string bytes = WriteFile(AvroCodec::kSnappy, 5);
  // The checksum is the 4 bytes before the final sync marker.
  bytes[bytes.size() - kSyncSize - 1] ^= 0x55;
  auto rows = ReadBytes(bytes);
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("checksum"), std::string::npos)
      << rows.status().ToString();
}

TEST(ContainerTest, HugeBlockCountsAndSizesAreCorruption) {
  const std::string bytes = WriteFile(AvroCodec::kNull, 0);
  for (auto [count, size] : {std::pair<int64_t, int64_t>{int64_t{1} << 50, 4},
                             {5, int64_t{1} << 50},
                             {-1, 4},
                             {1, -4}}) {
    std::string b = bytes;
    AppendLong(count, &b);
    AppendLong(size, &b);
    b += std::string(4, '\x02');
    b += bytes.substr(bytes.size() - kSyncSize);
    auto rows = ReadBytes(b);
    EXPECT_EQ(rows.status().code(), StatusCode::kCorruption) << count << " " << size;
  }
}

TEST(ContainerTest, ReservedMetadataKeysAreRejected) {
  auto schema = ParseAvroSchema(kSchema);
  ASSERT_TRUE(schema.ok());
  auto out = CreateLocalOutputFile(TempPath("reserved.avro"));
  ASSERT_TRUE(out.ok());
  ContainerWriterOptions options;
  options.metadata = {{"avro.codec", "x"}};
  EXPECT_FALSE(ContainerWriter::Open(std::move(*out), std::move(*schema), options).ok());
}

}  // namespace
}  // namespace floe::avro
