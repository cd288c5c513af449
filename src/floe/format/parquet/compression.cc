#include "floe/format/parquet/compression.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <memory>

namespace floe::parquet {

namespace {

// Page sizes are i32 in the page header, so no page is 2 GiB or larger; the
// bound also keeps every library's int/uInt size parameters in range.
constexpr size_t kMaxPageBytes = static_cast<size_t>(std::numeric_limits<int32_t>::max());

// Libraries may not accept a null buffer even for zero bytes.
uint8_t* NonNull(std::span<uint8_t> s) {
  static thread_local uint8_t dummy;
  return s.empty() ? &dummy : s.data();
}
const uint8_t* NonNull(std::span<const uint8_t> s) {
  static const uint8_t dummy = 0;
  return s.empty() ? &dummy : s.data();
}

Status SizeMismatch(std::string_view codec, size_t produced, size_t expected) {
  return Status::Corruption("{} page decompressed to {} bytes, header says {}", codec, produced,
                            expected);
}

Status TooLarge(std::string_view codec, size_t expected) {
  return Status::Corruption("{} page decompresses to more than the {} bytes its header says", codec,
                            expected);
}

// Grows out by capacity bytes, lets write fill some of them and trims the rest.
template <typename Write>
Status AppendWith(std::string* out, size_t capacity, Write write) {
  const size_t at = out->size();
  out->resize(at + capacity);
  auto* dst = reinterpret_cast<uint8_t*>(out->data() + at);
  Result<size_t> written = write(dst, capacity);
  if (!written.ok()) {
    out->resize(at);
    return written.status();
  }
  out->resize(at + *written);
  return Status::OK();
}

// --- ZSTD -------------------------------------------------------------------

// One context per thread saves an allocation of a few hundred KiB per page.
struct ZstdFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

ZSTD_CCtx* ThreadZstdCCtx() {
  static thread_local std::unique_ptr<ZSTD_CCtx, ZstdFree> ctx(ZSTD_createCCtx());
  return ctx.get();
}
ZSTD_DCtx* ThreadZstdDCtx() {
  static thread_local std::unique_ptr<ZSTD_DCtx, ZstdFree> ctx(ZSTD_createDCtx());
  return ctx.get();
}

Status CompressZstd(std::span<const uint8_t> input, int level, std::string* out) {
  if (level != 0 && (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())) {
    return Status::InvalidArgument("zstd level {} is outside {}..{}", level, ZSTD_minCLevel(),
                                   ZSTD_maxCLevel());
  }
  ZSTD_CCtx* ctx = ThreadZstdCCtx();
  if (ctx == nullptr) return Status::Internal("zstd: cannot create a compression context");
  return AppendWith(
      out, ZSTD_compressBound(input.size()), [&](uint8_t* dst, size_t cap) -> Result<size_t> {
        const size_t n = ZSTD_compressCCtx(ctx, dst, cap, NonNull(input), input.size(), level);
        if (ZSTD_isError(n)) {
          return Status::Internal("zstd compression failed: {}", ZSTD_getErrorName(n));
        }
        return n;
      });
}

Status DecompressZstd(std::span<const uint8_t> input, std::span<uint8_t> output) {
  ZSTD_DCtx* ctx = ThreadZstdDCtx();
  if (ctx == nullptr) return Status::Internal("zstd: cannot create a decompression context");
  const size_t n =
      ZSTD_decompressDCtx(ctx, NonNull(output), output.size(), NonNull(input), input.size());
  if (ZSTD_isError(n)) {
    if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall) return TooLarge("zstd", output.size());
    return Status::Corruption("zstd page is malformed: {}", ZSTD_getErrorName(n));
  }
  if (n != output.size()) return SizeMismatch("zstd", n, output.size());
  return Status::OK();
}

// --- SNAPPY -----------------------------------------------------------------

Status CompressSnappy(std::span<const uint8_t> input, std::string* out) {
  return AppendWith(
      out, snappy_max_compressed_length(input.size()),
      [&](uint8_t* dst, size_t cap) -> Result<size_t> {
        size_t n = cap;
        if (snappy_compress(reinterpret_cast<const char*>(NonNull(input)), input.size(),
                            reinterpret_cast<char*>(dst), &n) != SNAPPY_OK) {
          return Status::Internal("snappy compression failed");
        }
        return n;
      });
}

Status DecompressSnappy(std::span<const uint8_t> input, std::span<uint8_t> output) {
  const char* in = reinterpret_cast<const char*>(NonNull(input));
  size_t declared = 0;
  if (snappy_uncompressed_length(in, input.size(), &declared) != SNAPPY_OK) {
    return Status::Corruption("snappy page is malformed: bad length preamble");
  }
  if (declared != output.size()) return SizeMismatch("snappy", declared, output.size());
  size_t n = output.size();
  if (snappy_uncompress(in, input.size(), reinterpret_cast<char*>(NonNull(output)), &n) !=
      SNAPPY_OK) {
    return Status::Corruption("snappy page is malformed");
  }
  if (n != output.size()) return SizeMismatch("snappy", n, output.size());
  return Status::OK();
}

// --- GZIP -------------------------------------------------------------------

Status CompressGzip(std::span<const uint8_t> input, int level, std::string* out) {
  if (level != 0 && (level < 1 || level > 9)) {
    return Status::InvalidArgument("gzip level {} is outside 1..9", level);
  }
  z_stream strm{};
  // windowBits 15 + 16 asks zlib for a gzip (RFC 1952) header and trailer.
  if (deflateInit2(&strm, level == 0 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED, 15 + 16, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("gzip: deflateInit2 failed");
  }
  struct End {
    z_stream* s;
    ~End() { deflateEnd(s); }
  } end{&strm};
  const size_t bound = deflateBound(&strm, static_cast<uLong>(input.size()));
  return AppendWith(out, bound, [&](uint8_t* dst, size_t cap) -> Result<size_t> {
    strm.next_in = const_cast<Bytef*>(NonNull(input));  // zlib's API is not const-correct
    strm.avail_in = static_cast<uInt>(input.size());
    strm.next_out = dst;
    strm.avail_out = static_cast<uInt>(cap);
    if (deflate(&strm, Z_FINISH) != Z_STREAM_END) return Status::Internal("gzip: deflate failed");
    return cap - strm.avail_out;
  });
}

Status DecompressGzip(std::span<const uint8_t> input, std::span<uint8_t> output) {
  z_stream strm{};
  strm.next_in = const_cast<Bytef*>(NonNull(input));
  strm.avail_in = static_cast<uInt>(input.size());
  // 15 + 32: detect a zlib or gzip header by itself.
  if (inflateInit2(&strm, 15 + 32) != Z_OK) return Status::Internal("gzip: inflateInit2 failed");
  struct End {
    z_stream* s;
    ~End() { inflateEnd(s); }
  } end{&strm};
  size_t produced = 0;
  uint8_t probe;
  while (true) {
    // Once output is full, a 1-byte probe tells "done" from "too large".
    const bool full = produced == output.size();
    const size_t room = full ? 1 : output.size() - produced;
    strm.next_out = full ? &probe : output.data() + produced;
    strm.avail_out = static_cast<uInt>(room);
    const int ret = inflate(&strm, Z_NO_FLUSH);
    const size_t wrote = room - strm.avail_out;
    if (full && wrote > 0) return TooLarge("gzip", output.size());
    if (!full) produced += wrote;
    if (ret == Z_STREAM_END) {
      if (strm.avail_in == 0) break;
      // Another gzip member follows (RFC 1952 allows a series of them).
      if (inflateReset(&strm) != Z_OK) return Status::Internal("gzip: inflateReset failed");
      continue;
    }
    if (ret == Z_BUF_ERROR && strm.avail_in == 0) {
      return Status::Corruption("gzip page is truncated after {} bytes of output", produced);
    }
    if (ret != Z_OK) {
      return Status::Corruption("gzip page is malformed: {}",
                                strm.msg != nullptr ? strm.msg : "inflate failed");
    }
  }
  if (produced != output.size()) return SizeMismatch("gzip", produced, output.size());
  return Status::OK();
}

// --- LZ4 --------------------------------------------------------------------

Status CompressLz4Raw(std::span<const uint8_t> input, std::string* out) {
  return AppendWith(out, static_cast<size_t>(LZ4_compressBound(static_cast<int>(input.size()))),
                    [&](uint8_t* dst, size_t cap) -> Result<size_t> {
                      const int n = LZ4_compress_default(
                          reinterpret_cast<const char*>(NonNull(input)),
                          reinterpret_cast<char*>(dst), static_cast<int>(input.size()),
                          static_cast<int>(cap));
                      if (n <= 0) return Status::Internal("lz4 compression failed");
                      return static_cast<size_t>(n);
                    });
}

Status DecompressLz4Raw(std::span<const uint8_t> input, std::span<uint8_t> output,
                        std::string_view name) {
  const int n = LZ4_decompress_safe(
      reinterpret_cast<const char*>(NonNull(input)), reinterpret_cast<char*>(NonNull(output)),
      static_cast<int>(input.size()), static_cast<int>(output.size()));
  if (n < 0) {
    // LZ4 does not tell a malformed block from one that needs more room.
    return Status::Corruption("{} page is malformed or decompresses to more than {} bytes", name,
                              output.size());
  }
  if (static_cast<size_t>(n) != output.size()) {
    return SizeMismatch(name, static_cast<size_t>(n), output.size());
  }
  return Status::OK();
}

uint32_t LoadBE32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Hadoop's LZ4 framing as parquet-java writes it: blocks of
// [be32 uncompressed size][be32 compressed size][LZ4 block]. False when the
// bytes do not fit that shape exactly.
bool TryDecompressHadoopLz4(std::span<const uint8_t> input, std::span<uint8_t> output) {
  size_t in = 0;
  size_t out = 0;
  while (in < input.size()) {
    if (input.size() - in < 8) return false;
    const uint32_t raw = LoadBE32(input.data() + in);
    const uint32_t packed = LoadBE32(input.data() + in + 4);
    in += 8;
    if (packed == 0 || packed > input.size() - in || raw > output.size() - out) return false;
    const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(input.data() + in),
                                      reinterpret_cast<char*>(NonNull(output) + out),
                                      static_cast<int>(packed), static_cast<int>(raw));
    if (n < 0 || static_cast<uint32_t>(n) != raw) return false;
    in += packed;
    out += raw;
  }
  return out == output.size();
}

Status DecompressHadoopLz4(std::span<const uint8_t> input, std::span<uint8_t> output) {
  if (TryDecompressHadoopLz4(input, output)) return Status::OK();
  // Older parquet-cpp wrote plain LZ4 blocks under the LZ4 codec.
  return DecompressLz4Raw(input, output, "lz4");
}

// --- BROTLI -----------------------------------------------------------------

Status CompressBrotli(std::span<const uint8_t> input, int level, std::string* out) {
  if (level < BROTLI_MIN_QUALITY || level > BROTLI_MAX_QUALITY) {
    return Status::InvalidArgument("brotli quality {} is outside {}..{}", level, BROTLI_MIN_QUALITY,
                                   BROTLI_MAX_QUALITY);
  }
  const int quality = level == 0 ? BROTLI_DEFAULT_QUALITY : level;
  size_t bound = BrotliEncoderMaxCompressedSize(input.size());
  if (bound == 0) bound = input.size() + input.size() / 8 + 1024;
  return AppendWith(out, bound, [&](uint8_t* dst, size_t cap) -> Result<size_t> {
    size_t n = cap;
    if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_DEFAULT_MODE, input.size(),
                               NonNull(input), &n, dst)) {
      return Status::Internal("brotli compression failed");
    }
    return n;
  });
}

Status DecompressBrotli(std::span<const uint8_t> input, std::span<uint8_t> output) {
  std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> state(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance);
  if (state == nullptr) return Status::Internal("brotli: cannot create a decoder");
  size_t avail_in = input.size();
  const uint8_t* next_in = NonNull(input);
  size_t avail_out = output.size();
  uint8_t* next_out = NonNull(output);
  BrotliDecoderResult r = BrotliDecoderDecompressStream(state.get(), &avail_in, &next_in,
                                                        &avail_out, &next_out, nullptr);
  const size_t produced = output.size() - avail_out;
  if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
    // Output is full; a 1-byte probe tells "done" from "too large".
    uint8_t probe;
    size_t probe_room = 1;
    uint8_t* probe_out = &probe;
    r = BrotliDecoderDecompressStream(state.get(), &avail_in, &next_in, &probe_room, &probe_out,
                                      nullptr);
    if (probe_room == 0 || r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
      return TooLarge("brotli", output.size());
    }
  }
  if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
    return Status::Corruption("brotli page is truncated after {} bytes of output", produced);
  }
  if (r != BROTLI_DECODER_RESULT_SUCCESS) {
    return Status::Corruption("brotli page is malformed: {}",
                              BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state.get())));
  }
  if (avail_in != 0) {
    return Status::Corruption("brotli page has {} bytes after the end of its stream", avail_in);
  }
  if (produced != output.size()) return SizeMismatch("brotli", produced, output.size());
  return Status::OK();
}

}  // namespace

Status Compress(CompressionCodec codec, std::span<const uint8_t> input, int level,
                std::string* out) {
  if (input.size() > kMaxPageBytes) {
    return Status::InvalidArgument("page of {} bytes exceeds Parquet's 2 GiB page limit",
                                   input.size());
  }
  switch (codec) {
    case CompressionCodec::kUncompressed:
      out->append(reinterpret_cast<const char*>(input.data()), input.size());
      return Status::OK();
    case CompressionCodec::kSnappy:
      return CompressSnappy(input, out);
    case CompressionCodec::kGzip:
      return CompressGzip(input, level, out);
    case CompressionCodec::kZstd:
      return CompressZstd(input, level, out);
    case CompressionCodec::kLz4Raw:
      return CompressLz4Raw(input, out);
    case CompressionCodec::kBrotli:
      return CompressBrotli(input, level, out);
    case CompressionCodec::kLz4:
      return Status::NotSupported(
          "floe does not write the deprecated Hadoop-framed lz4; use lz4_raw");
    case CompressionCodec::kLzo:
      return Status::NotSupported("lzo compression is not supported");
  }
  return Status::NotSupported("unknown compression codec {}", static_cast<int32_t>(codec));
}

Status Decompress(CompressionCodec codec, std::span<const uint8_t> input,
                  std::span<uint8_t> output) {
  if (input.size() > kMaxPageBytes || output.size() > kMaxPageBytes) {
    return Status::Corruption("page of {} bytes ({} uncompressed) exceeds Parquet's 2 GiB limit",
                              input.size(), output.size());
  }
  if (codec == CompressionCodec::kUncompressed) {
    if (input.size() != output.size())
      return SizeMismatch("uncompressed", input.size(), output.size());
    if (!input.empty()) std::memcpy(output.data(), input.data(), input.size());
    return Status::OK();
  }
  // Nothing in, nothing out: some writers store an empty page with no codec bytes.
  if (input.empty() && output.empty()) {
    if (codec == CompressionCodec::kLzo)
      return Status::NotSupported("lzo compression is not supported");
    return Status::OK();
  }
  switch (codec) {
    case CompressionCodec::kSnappy:
      return DecompressSnappy(input, output);
    case CompressionCodec::kGzip:
      return DecompressGzip(input, output);
    case CompressionCodec::kZstd:
      return DecompressZstd(input, output);
    case CompressionCodec::kLz4Raw:
      return DecompressLz4Raw(input, output, "lz4_raw");
    case CompressionCodec::kLz4:
      return DecompressHadoopLz4(input, output);
    case CompressionCodec::kBrotli:
      return DecompressBrotli(input, output);
    case CompressionCodec::kLzo:
      return Status::NotSupported("lzo compression is not supported");
    case CompressionCodec::kUncompressed:
      break;
  }
  return Status::NotSupported("unknown compression codec {}", static_cast<int32_t>(codec));
}

Result<CompressionCodec> ParseCompressionCodec(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "none" || lower == "uncompressed") return CompressionCodec::kUncompressed;
  if (lower == "snappy") return CompressionCodec::kSnappy;
  if (lower == "gzip") return CompressionCodec::kGzip;
  if (lower == "zstd") return CompressionCodec::kZstd;
  if (lower == "lz4_raw") return CompressionCodec::kLz4Raw;
  if (lower == "brotli") return CompressionCodec::kBrotli;
  return Status::InvalidArgument(
      "unknown compression codec '{}': expected zstd, snappy, gzip, brotli, lz4_raw or none", name);
}

std::string_view CompressionCodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return "uncompressed";
    case CompressionCodec::kSnappy:
      return "snappy";
    case CompressionCodec::kGzip:
      return "gzip";
    case CompressionCodec::kLzo:
      return "lzo";
    case CompressionCodec::kBrotli:
      return "brotli";
    case CompressionCodec::kLz4:
      return "lz4";
    case CompressionCodec::kZstd:
      return "zstd";
    case CompressionCodec::kLz4Raw:
      return "lz4_raw";
  }
  return "unknown";
}

}  // namespace floe::parquet
