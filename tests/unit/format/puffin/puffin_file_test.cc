// Puffin files (format/puffin/puffin_file.h): what the writer produces is
// the spec's layout byte for byte where the spec fixes it (magics, the
// little-endian payload size, zero flags, blob offsets), it reads back, and
// each kind of damage to a footer is a clean error saying what is wrong.
#include "floe/format/puffin/puffin_file.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "floe/io/file_io.h"

namespace floe::puffin {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class PuffinFileTest : public ::testing::Test {
 protected:
  // A file of two blobs; returns its bytes.
  std::string WriteTwoBlobs() {
    auto out = io_.Create("/mem/a.puffin");
    EXPECT_TRUE(out.ok());
    auto writer = PuffinWriter::Open(*std::move(out));
    EXPECT_TRUE(writer.ok());
    BlobMetadata dv;
    dv.type = kDeletionVectorV1;
    dv.fields = {2147483545};
    dv.properties = {{"referenced-data-file", "/t/data/a.parquet"}, {"cardinality", "3"}};
    auto first = writer->Add(dv, Bytes("first blob"));
    EXPECT_TRUE(first.ok());
    EXPECT_EQ(first->offset, 4);
    EXPECT_EQ(first->length, 10);
    auto second = writer->Add(dv, Bytes("2nd"));
    EXPECT_TRUE(second.ok());
    EXPECT_EQ(second->offset, 14);
    auto size = writer->Finish({{"created-by", "floe test"}});
    EXPECT_TRUE(size.ok());
    auto in = io_.OpenInput("/mem/a.puffin");
    EXPECT_TRUE(in.ok());
    std::string bytes(static_cast<size_t>((*in)->size()), '\0');
    EXPECT_EQ(static_cast<int64_t>(bytes.size()), *size);
    EXPECT_TRUE(
        (*in)->ReadAt(0, std::span(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size())).ok());
    return bytes;
  }

  Result<FileMetadata> Parse(const std::string& bytes) {
    return ParseFooter(Bytes(bytes), static_cast<int64_t>(bytes.size()));
  }

  MemoryFileIO io_;
};

TEST_F(PuffinFileTest, TheLayoutIsTheSpecs) {
  const std::string bytes = WriteTwoBlobs();
  ASSERT_EQ(bytes.substr(0, 4), "PFA1");
  EXPECT_EQ(bytes.substr(4, 13), "first blob2nd");
  ASSERT_EQ(bytes.substr(bytes.size() - 4), "PFA1");
  EXPECT_EQ(bytes.substr(bytes.size() - 8, 4), std::string(4, '\0'));  // flags
  const auto* tail = reinterpret_cast<const uint8_t*>(bytes.data() + bytes.size() - 12);
  const uint32_t payload = tail[0] | tail[1] << 8 | tail[2] << 16 | uint32_t{tail[3]} << 24;
  ASSERT_EQ(bytes.substr(bytes.size() - 16 - payload, 4), "PFA1");
  const auto json = nlohmann::json::parse(bytes.substr(bytes.size() - 12 - payload, payload));
  ASSERT_EQ(json["blobs"].size(), 2u);
  EXPECT_EQ(json["blobs"][1]["offset"], 14);
  EXPECT_EQ(json["blobs"][1]["length"], 3);
  EXPECT_EQ(json["blobs"][0]["snapshot-id"], -1);
  EXPECT_EQ(json["blobs"][0]["sequence-number"], -1);
  EXPECT_EQ(json["blobs"][0]["fields"], nlohmann::json::array({2147483545}));
  EXPECT_FALSE(json["blobs"][0].contains("compression-codec"));
  EXPECT_EQ(json["properties"]["created-by"], "floe test");
}

TEST_F(PuffinFileTest, AFooterReadsBack) {
  const std::string bytes = WriteTwoBlobs();
  auto footer = Parse(bytes);
  ASSERT_TRUE(footer.ok()) << footer.status().ToString();
  ASSERT_EQ(footer->blobs.size(), 2u);
  EXPECT_EQ(footer->blobs[0].type, kDeletionVectorV1);
  EXPECT_EQ(footer->blobs[0].properties.at("cardinality"), "3");
  EXPECT_EQ(footer->blobs[1].offset, 14);
  auto in = io_.OpenInput("/mem/a.puffin");
  ASSERT_TRUE(in.ok());
  auto read = ReadFooter(**in);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->blobs.size(), 2u);
  EXPECT_EQ(read->properties.at("created-by"), "floe test");
}

TEST_F(PuffinFileTest, DamageIsACleanError) {
  const std::string good = WriteTwoBlobs();
  auto expect_error = [&](std::string bytes, StatusCode code, std::string_view words) {
    auto footer = Parse(bytes);
    ASSERT_FALSE(footer.ok()) << words;
    EXPECT_EQ(footer.status().code(), code) << footer.status().ToString();
    EXPECT_NE(footer.status().message().find(words), std::string::npos)
        << footer.status().ToString();
  };
  std::string bad = good;
  bad[bad.size() - 1] = 'X';
  expect_error(bad, StatusCode::kCorruption, "no magic at its end");
  bad = good;
  bad[bad.size() - 9] = 0x7f;  // payload size's top byte
  expect_error(bad, StatusCode::kCorruption, "does not fit");
  bad = good;
  bad[bad.size() - 8] = 1;
  expect_error(bad, StatusCode::kNotSupported, "compressed");
  bad = good;
  bad[bad.size() - 7] = 1;
  expect_error(bad, StatusCode::kCorruption, "unknown flags");
  expect_error("PFA1", StatusCode::kCorruption, "too short");
  // A footer that lies about where a blob is.
  bad = good;
  const size_t at = bad.find("\"offset\":14");
  ASSERT_NE(at, std::string::npos);
  bad.replace(at, 11, "\"offset\":99");
  expect_error(bad, StatusCode::kCorruption, "lies outside the blobs");
  bad = good;
  bad.replace(bad.find("\"blobs\""), 7, "\"blubs\"");
  expect_error(bad, StatusCode::kCorruption, "no 'blobs' list");
}

}  // namespace
}  // namespace floe::puffin
