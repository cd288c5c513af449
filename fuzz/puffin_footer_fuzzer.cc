// libFuzzer target for Puffin footers (format/puffin/puffin_file.h), which
// floe reads from files other engines wrote. The input is a whole file.
// Whatever the bytes, the parser returns an error or blobs that lie between
// the leading magic and the footer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "floe/format/puffin/puffin_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file_size = static_cast<int64_t>(size);
  auto footer = floe::puffin::ParseFooter(std::span(data, size), file_size);
  if (!footer.ok()) return 0;
  for (const floe::puffin::BlobMetadata& b : footer->blobs) {
    if (b.offset < 4 || b.length < 0 || b.offset + b.length > file_size) std::abort();
  }
  return 0;
}
