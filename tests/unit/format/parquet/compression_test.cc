#include "floe/format/parquet/compression.h"

#include <gtest/gtest.h>
#include <lz4.h>
#include <zlib.h>

#include <random>
#include <string>
#include <vector>

#include "test_bytes.h"

namespace floe::parquet {
namespace {

using floe::testing::AsBytes;

constexpr CompressionCodec kCodecs[] = {
    CompressionCodec::kUncompressed, CompressionCodec::kSnappy, CompressionCodec::kGzip,
    CompressionCodec::kZstd,         CompressionCodec::kLz4Raw, CompressionCodec::kBrotli,
};
constexpr CompressionCodec kRealCodecs[] = {
    CompressionCodec::kSnappy, CompressionCodec::kGzip,   CompressionCodec::kZstd,
    CompressionCodec::kLz4Raw, CompressionCodec::kBrotli,
};

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

std::string RepetitiveBytes(size_t n) {
  std::string s;
  s.reserve(n);
  while (s.size() < n) s += "floe streams kafka into iceberg; ";
  s.resize(n);
  return s;
}

std::string MustCompress(CompressionCodec codec, const std::string& data, int level = 0) {
  std::string out;
  Status st = Compress(codec, AsBytes(data), level, &out);
  EXPECT_TRUE(st.ok()) << CompressionCodecName(codec) << ": " << st.ToString();
  return out;
}

Status DecompressTo(CompressionCodec codec, const std::string& compressed, size_t size,
                    std::vector<uint8_t>* out) {
  out->assign(size, 0xAB);
  return Decompress(codec, AsBytes(compressed), *out);
}

void ExpectRoundTrip(CompressionCodec codec, const std::string& data, int level = 0) {
  SCOPED_TRACE(std::string(CompressionCodecName(codec)) + " size " + std::to_string(data.size()));
  const std::string compressed = MustCompress(codec, data, level);
  std::vector<uint8_t> out;
  Status st = DecompressTo(codec, compressed, data.size(), &out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(std::equal(out.begin(), out.end(), data.begin(), data.end(),
                         [](uint8_t a, char b) { return a == static_cast<uint8_t>(b); }));
}

TEST(CompressionTest, RoundTripsEmptyAndSmall) {
  for (CompressionCodec codec : kCodecs) {
    ExpectRoundTrip(codec, "");
    ExpectRoundTrip(codec, "x");
    ExpectRoundTrip(codec, "hello parquet, hello floe");
  }
}

TEST(CompressionTest, RoundTripsOneMebibyteRandom) {
  const std::string data = RandomBytes(1 << 20, 7);
  // Brotli's default quality 11 is slow on incompressible data; 5 exercises the same path.
  for (CompressionCodec codec : kCodecs) {
    ExpectRoundTrip(codec, data, codec == CompressionCodec::kBrotli ? 5 : 0);
  }
}

TEST(CompressionTest, RoundTripsOneMebibyteRepetitiveAndShrinksIt) {
  const std::string data = RepetitiveBytes(1 << 20);
  for (CompressionCodec codec : kCodecs) {
    ExpectRoundTrip(codec, data);
    if (codec != CompressionCodec::kUncompressed) {
      EXPECT_LT(MustCompress(codec, data).size(), data.size() / 20) << CompressionCodecName(codec);
    }
  }
}

TEST(CompressionTest, EveryLevelInRangeWorksAndOutOfRangeIsRejected) {
  const std::string data = RepetitiveBytes(10000);
  for (int level = 1; level <= 9; ++level) ExpectRoundTrip(CompressionCodec::kGzip, data, level);
  for (int level = 1; level <= 11; ++level) ExpectRoundTrip(CompressionCodec::kBrotli, data, level);
  for (int level : {-5, 1, 3, 19, 22}) ExpectRoundTrip(CompressionCodec::kZstd, data, level);
  std::string out;
  EXPECT_EQ(Compress(CompressionCodec::kGzip, AsBytes(data), 10, &out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Compress(CompressionCodec::kBrotli, AsBytes(data), 12, &out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Compress(CompressionCodec::kZstd, AsBytes(data), 1000, &out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
}

TEST(CompressionTest, CompressAppendsToOut) {
  for (CompressionCodec codec : kCodecs) {
    std::string out = "prefix";
    ASSERT_TRUE(Compress(codec, AsBytes(std::string("abcabcabc")), 0, &out).ok());
    ASSERT_EQ(out.substr(0, 6), "prefix");
    std::vector<uint8_t> plain(9);
    ASSERT_TRUE(Decompress(codec, AsBytes(out).subspan(6), plain).ok());
    EXPECT_EQ(std::string(plain.begin(), plain.end()), "abcabcabc");
  }
}

TEST(CompressionTest, WrongDeclaredSizeIsCorruption) {
  const std::string data = RepetitiveBytes(5000) + RandomBytes(3000, 1);
  for (CompressionCodec codec : kCodecs) {
    SCOPED_TRACE(CompressionCodecName(codec));
    const std::string compressed = MustCompress(codec, data);
    std::vector<uint8_t> out;
    for (size_t size : {data.size() - 1, data.size() + 1, size_t{0}, data.size() * 2}) {
      Status st = DecompressTo(codec, compressed, size, &out);
      EXPECT_EQ(st.code(), StatusCode::kCorruption) << size << ": " << st.ToString();
    }
  }
}

TEST(CompressionTest, SizeMismatchMessageNamesBothSizes) {
  const std::string compressed = MustCompress(CompressionCodec::kSnappy, "0123456789");
  std::vector<uint8_t> out;
  Status st = DecompressTo(CompressionCodec::kSnappy, compressed, 12, &out);
  EXPECT_EQ(st.message(), "snappy page decompressed to 10 bytes, header says 12");
}

TEST(CompressionTest, TruncatedInputIsAnErrorForEveryCodec) {
  const std::string data = RepetitiveBytes(3000) + RandomBytes(1000, 2);
  for (CompressionCodec codec : kCodecs) {
    SCOPED_TRACE(CompressionCodecName(codec));
    const std::string compressed = MustCompress(codec, data);
    std::vector<uint8_t> out;
    for (size_t len = 0; len < compressed.size(); ++len) {
      Status st = DecompressTo(codec, compressed.substr(0, len), data.size(), &out);
      ASSERT_FALSE(st.ok()) << "truncated to " << len << " of " << compressed.size();
      EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
    }
  }
}

TEST(CompressionTest, GarbageInputIsAnError) {
  for (CompressionCodec codec : kRealCodecs) {
    SCOPED_TRACE(CompressionCodecName(codec));
    for (uint32_t seed = 0; seed < 50; ++seed) {
      const std::string garbage = RandomBytes(1 + seed * 37, seed);
      std::vector<uint8_t> out;
      EXPECT_FALSE(DecompressTo(codec, garbage, 1000, &out).ok()) << seed;
    }
  }
}

TEST(CompressionTest, CorruptedInputNeverCrashes) {
  // Flipped bytes may still decode (not every codec checksums), but must never
  // crash or write out of bounds (run under ASan).
  const std::string data = RepetitiveBytes(4000) + RandomBytes(500, 3);
  std::mt19937 rng(11);
  for (CompressionCodec codec : kRealCodecs) {
    const std::string compressed = MustCompress(codec, data);
    for (int trial = 0; trial < 300; ++trial) {
      std::string bad = compressed;
      for (int flips = 0; flips < 1 + trial % 4; ++flips) {
        bad[rng() % bad.size()] = static_cast<char>(rng() & 0xff);
      }
      std::vector<uint8_t> out;
      (void)DecompressTo(codec, bad, data.size(), &out);
      (void)DecompressTo(codec, bad, data.size() / 2, &out);
    }
  }
}

TEST(CompressionTest, GzipWritesGzipFraming) {
  const std::string compressed = MustCompress(CompressionCodec::kGzip, "gzip, not zlib");
  ASSERT_GE(compressed.size(), 18u);
  EXPECT_EQ(static_cast<uint8_t>(compressed[0]), 0x1f);
  EXPECT_EQ(static_cast<uint8_t>(compressed[1]), 0x8b);
}

TEST(CompressionTest, GzipReadsZlibStreamsAndConcatenatedMembers) {
  const std::string data = RepetitiveBytes(2000);
  std::string zlib_stream(compressBound(data.size()), '\0');
  uLongf zlib_size = zlib_stream.size();
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(zlib_stream.data()), &zlib_size,
                      reinterpret_cast<const Bytef*>(data.data()), data.size(), 6),
            Z_OK);
  zlib_stream.resize(zlib_size);
  std::vector<uint8_t> out;
  ASSERT_TRUE(DecompressTo(CompressionCodec::kGzip, zlib_stream, data.size(), &out).ok());
  EXPECT_EQ(std::string(out.begin(), out.end()), data);

  const std::string two = MustCompress(CompressionCodec::kGzip, "first member|") +
                          MustCompress(CompressionCodec::kGzip, "second");
  ASSERT_TRUE(DecompressTo(CompressionCodec::kGzip, two, 19, &out).ok());
  EXPECT_EQ(std::string(out.begin(), out.end()), "first member|second");
  // A member followed by garbage is an error, not a silent stop.
  EXPECT_FALSE(
      DecompressTo(CompressionCodec::kGzip, two.substr(0, two.size() / 2 + 20) + "zz", 19, &out)
          .ok());
}

std::string HadoopLz4Frame(const std::string& raw) {
  std::string block(LZ4_compressBound(static_cast<int>(raw.size())), '\0');
  const int n = LZ4_compress_default(raw.data(), block.data(), static_cast<int>(raw.size()),
                                     static_cast<int>(block.size()));
  block.resize(static_cast<size_t>(n));
  std::string frame;
  for (uint32_t v : {static_cast<uint32_t>(raw.size()), static_cast<uint32_t>(n)}) {
    for (int shift = 24; shift >= 0; shift -= 8) frame.push_back(static_cast<char>(v >> shift));
  }
  return frame + block;
}

TEST(CompressionTest, HadoopLz4FramesAndRawFallbackDecompress) {
  const std::string a = RepetitiveBytes(3000);
  const std::string b = RandomBytes(500, 4);
  std::vector<uint8_t> out;
  ASSERT_TRUE(DecompressTo(CompressionCodec::kLz4, HadoopLz4Frame(a) + HadoopLz4Frame(b),
                           a.size() + b.size(), &out)
                  .ok());
  EXPECT_EQ(std::string(out.begin(), out.end()), a + b);
  // A plain LZ4 block under the LZ4 codec, as old parquet-cpp wrote.
  const std::string raw = MustCompress(CompressionCodec::kLz4Raw, a);
  ASSERT_TRUE(DecompressTo(CompressionCodec::kLz4, raw, a.size(), &out).ok());
  EXPECT_EQ(std::string(out.begin(), out.end()), a);
  EXPECT_EQ(DecompressTo(CompressionCodec::kLz4, HadoopLz4Frame(a), a.size() + 1, &out).code(),
            StatusCode::kCorruption);
}

TEST(CompressionTest, LzoAndHadoopLz4CompressionAreNotSupported) {
  std::string out;
  EXPECT_EQ(Compress(CompressionCodec::kLzo, AsBytes(std::string("x")), 0, &out).code(),
            StatusCode::kNotSupported);
  EXPECT_EQ(Compress(CompressionCodec::kLz4, AsBytes(std::string("x")), 0, &out).code(),
            StatusCode::kNotSupported);
  std::vector<uint8_t> plain(1);
  EXPECT_EQ(Decompress(CompressionCodec::kLzo, AsBytes(std::string("x")), plain).code(),
            StatusCode::kNotSupported);
  EXPECT_EQ(Decompress(static_cast<CompressionCodec>(42), AsBytes(std::string("x")), plain).code(),
            StatusCode::kNotSupported);
}

TEST(CompressionTest, ParsesAndNamesCodecs) {
  for (CompressionCodec codec : kCodecs) {
    auto parsed = ParseCompressionCodec(CompressionCodecName(codec));
    ASSERT_TRUE(parsed.ok()) << CompressionCodecName(codec);
    EXPECT_EQ(*parsed, codec);
  }
  EXPECT_EQ(*ParseCompressionCodec("none"), CompressionCodec::kUncompressed);
  EXPECT_EQ(*ParseCompressionCodec("ZSTD"), CompressionCodec::kZstd);
  EXPECT_EQ(*ParseCompressionCodec("Snappy"), CompressionCodec::kSnappy);
  for (std::string_view bad : {"", "lz4", "lzo", "zip", "zstd "}) {
    EXPECT_EQ(ParseCompressionCodec(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(CompressionCodecName(CompressionCodec::kLz4), "lz4");
  EXPECT_EQ(CompressionCodecName(CompressionCodec::kLzo), "lzo");
  EXPECT_EQ(CompressionCodecName(static_cast<CompressionCodec>(99)), "unknown");
}

}  // namespace
}  // namespace floe::parquet
