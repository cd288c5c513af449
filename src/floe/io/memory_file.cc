// InputFile over bytes held in memory.
#include <cstring>

#include "floe/io/file.h"

namespace floe {
namespace {

class MemoryInputFile final : public InputFile {
 public:
  MemoryInputFile(std::string path, std::string bytes)
      : path_(std::move(path)), bytes_(std::move(bytes)) {}

  const std::string& path() const override { return path_; }
  int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }

  Status ReadAt(int64_t offset, std::span<uint8_t> out) const override {
    const int64_t size = this->size();
    if (offset < 0 || offset > size || static_cast<int64_t>(out.size()) > size - offset) {
      return Status::Corruption("{}: read of {} bytes at offset {} runs past the end ({} bytes)",
                                path_, out.size(), offset, size);
    }
    if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return Status::OK();
  }

 private:
  std::string path_;
  std::string bytes_;
};

}  // namespace

Result<std::unique_ptr<InputFile>> OpenMemoryInputFile(std::string path, std::string bytes) {
  return std::unique_ptr<InputFile>(
      std::make_unique<MemoryInputFile>(std::move(path), std::move(bytes)));
}

}  // namespace floe
