#include "floe/iceberg/deleted_rows.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>

namespace floe::iceberg {
namespace {

DeletedRows Of(std::vector<int64_t> positions) {
  DeletedRows rows;
  for (int64_t p : positions) rows.Add(p);
  rows.Finish();
  return rows;
}

std::vector<int64_t> Vec(const DeletedRows& rows) {
  return {rows.positions().begin(), rows.positions().end()};
}

// A blob around `vector` (the bytes after the magic), framed right: length,
// magic and CRC as the spec says, so a test can damage only what it means to.
std::string Frame(std::string_view vector) {
  std::string checked = "\xD1\xD3\x39\x64";
  checked += vector;
  std::string blob;
  auto put32 = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) blob.push_back(static_cast<char>(v >> s & 0xFF));
  };
  put32(static_cast<uint32_t>(checked.size()));
  blob += checked;
  put32(static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(checked.data()), static_cast<uInt>(checked.size()))));
  return blob;
}

std::string VectorOf(const std::string& blob) {
  return blob.substr(8, blob.size() - 12);
}

TEST(DeletedRowsTest, AddSortsAndDropsRepeats) {
  EXPECT_EQ(Vec(Of({9, 3, 3, 0, 9, 5})), (std::vector<int64_t>{0, 3, 5, 9}));
  const DeletedRows rows = Of({0, 3, 5, 9});
  EXPECT_TRUE(rows.Contains(5));
  EXPECT_FALSE(rows.Contains(4));
}

TEST(DeletedRowsTest, ApplyClearsTheDeletedRowsOfEachBatch) {
  const DeletedRows rows = Of({0, 3, 5, 9, 10});
  std::vector<uint8_t> keep(4, 1);  // rows 4..7
  rows.Apply(4, keep);
  EXPECT_EQ(keep, (std::vector<uint8_t>{1, 0, 1, 1}));
  keep.assign(3, 1);  // rows 8..10
  rows.Apply(8, keep);
  EXPECT_EQ(keep, (std::vector<uint8_t>{1, 0, 0}));
  keep.assign(5, 1);  // rows 11..15: none
  rows.Apply(11, keep);
  EXPECT_EQ(keep, std::vector<uint8_t>(5, 1));
}

TEST(DeletionVectorTest, RoundTripsSparseDenseAndPast32Bits) {
  std::mt19937_64 random(7);
  std::vector<std::vector<int64_t>> sets = {{}, {0}, {5, 17, 4096, 65535, 65536, 1 << 20}};
  std::vector<int64_t> dense;
  for (int64_t p = 0; p < 200000; ++p) dense.push_back(p);  // run containers
  sets.push_back(dense);
  std::vector<int64_t> sparse;
  for (int i = 0; i < 5000; ++i) sparse.push_back(static_cast<int64_t>(random() % 3'000'000));
  sets.push_back(sparse);
  sets.push_back({1, int64_t{1} << 32, (int64_t{1} << 32) + 9, (int64_t{5} << 32) + 3});
  for (const auto& set : sets) {
    const DeletedRows rows = Of(set);
    const std::string blob = EncodeDeletionVector(rows);
    const int64_t limit = rows.empty() ? 0 : rows.positions().back() + 1;
    auto back = DecodeDeletionVector(blob, limit, rows.size());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(Vec(*back), Vec(rows));
  }
}

TEST(DeletionVectorTest, RefusesDamagedBlobsWithTheReason) {
  const DeletedRows rows = Of({1, 2, 70000, (int64_t{1} << 32) + 4});
  const int64_t limit = (int64_t{1} << 32) + 5;
  const std::string good = EncodeDeletionVector(rows);
  ASSERT_TRUE(DecodeDeletionVector(good, limit, 4).ok());
  auto refused = [&](const std::string& blob, int64_t rows_in_file, int64_t cardinality) {
    auto r = DecodeDeletionVector(blob, rows_in_file, cardinality);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.status().ToString();
  };
  EXPECT_NE(refused(good.substr(0, 10), limit, 4).find("too short"), std::string::npos);
  EXPECT_NE(refused(good.substr(0, good.size() - 1), limit, 4).find("its length says"),
            std::string::npos);
  std::string magic = good;
  magic[4] = 'X';
  EXPECT_NE(refused(magic, limit, 4).find("bad magic"), std::string::npos);
  std::string crc = good;
  crc[12] ^= 1;
  EXPECT_NE(refused(crc, limit, 4).find("CRC"), std::string::npos);
  EXPECT_NE(refused(good, limit, 5).find("the manifest says 5"), std::string::npos);
  EXPECT_NE(refused(good, 70000, 4).find("past the file"), std::string::npos);
  EXPECT_NE(refused(good, 3, 4).find("4 positions in a file of 3 rows"), std::string::npos);

  const std::string vector = VectorOf(good);
  std::string lying = vector;
  lying[0] = 100;  // 100 bitmaps
  EXPECT_NE(refused(Frame(lying), limit, 4).find("100 bitmaps"), std::string::npos);
  EXPECT_NE(refused(Frame(vector + "xyz"), limit, 4).find("after the bitmaps"), std::string::npos);
  // Keys out of order: the two bitmaps swapped would need their bytes; a
  // second copy of the same key is out of order too.
  const DeletedRows one = Of({3});
  const std::string single = VectorOf(EncodeDeletionVector(one));
  std::string twice = single;
  twice[0] = 2;
  twice += single.substr(8);
  EXPECT_NE(refused(Frame(twice), limit, 2).find("out of order"), std::string::npos);
  std::string negative = single;
  negative[11] = static_cast<char>(0x80);  // the key's top byte
  EXPECT_NE(refused(Frame(negative), limit, 1).find("negative"), std::string::npos);
  std::string damaged = single;
  damaged[12] = 0x7F;  // the bitmap's cookie
  EXPECT_NE(refused(Frame(damaged), limit, 1).find("damaged bitmap"), std::string::npos);
}

}  // namespace
}  // namespace floe::iceberg
