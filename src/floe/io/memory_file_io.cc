// FileIO over files held in memory, with a model of what a power loss keeps.
#include <map>
#include <mutex>

#include "floe/io/file_io.h"

namespace floe {

struct MemoryFileIO::State {
  std::mutex mutex;
  std::map<std::string, std::string> files;  // closed (durable) files by local path
  uint64_t power_cycle = 0;                  // outputs of an earlier cycle were lost
};

namespace {

class MemoryOutputFile final : public OutputFile {
 public:
  MemoryOutputFile(std::shared_ptr<MemoryFileIO::State> state, std::string path, uint64_t cycle)
      : state_(std::move(state)), path_(std::move(path)), cycle_(cycle) {}

  const std::string& path() const override { return path_; }
  int64_t position() const override { return static_cast<int64_t>(bytes_.size()); }

  Status Append(std::span<const uint8_t> bytes) override {
    if (closed_) return Status::Internal("{}: append after close", path_);
    bytes_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return Status::OK();
  }

  Status Close() override {
    if (closed_) return Status::OK();
    closed_ = true;
    std::lock_guard lock(state_->mutex);
    if (state_->power_cycle != cycle_) return Status::IOError("{}: lost in a power loss", path_);
    state_->files[path_] = std::move(bytes_);
    return Status::OK();
  }

 private:
  std::shared_ptr<MemoryFileIO::State> state_;
  std::string path_;
  uint64_t cycle_;
  std::string bytes_;
  bool closed_ = false;
};

}  // namespace

MemoryFileIO::MemoryFileIO() : state_(std::make_shared<State>()) {}
MemoryFileIO::~MemoryFileIO() = default;

Result<std::unique_ptr<InputFile>> MemoryFileIO::OpenInput(std::string_view location) {
  const std::string path = LocalPath(location);
  std::lock_guard lock(state_->mutex);
  auto it = state_->files.find(path);
  if (it == state_->files.end()) return Status::NotFound("{}: no such file", path);
  return OpenMemoryInputFile(path, it->second);
}

Result<std::unique_ptr<OutputFile>> MemoryFileIO::Create(std::string_view location) {
  std::lock_guard lock(state_->mutex);
  return std::unique_ptr<OutputFile>(
      std::make_unique<MemoryOutputFile>(state_, LocalPath(location), state_->power_cycle));
}

Status MemoryFileIO::WriteAtomically(std::string_view location, std::string_view content,
                                     bool overwrite) {
  const std::string path = LocalPath(location);
  std::lock_guard lock(state_->mutex);
  if (!overwrite && state_->files.contains(path)) {
    return Status::AlreadyExists("{} already exists", path);
  }
  state_->files[path] = std::string(content);
  return Status::OK();
}

Status MemoryFileIO::Delete(std::string_view location) {
  const std::string path = LocalPath(location);
  std::lock_guard lock(state_->mutex);
  if (state_->files.erase(path) == 0) return Status::NotFound("{}: no such file", path);
  return Status::OK();
}

Result<bool> MemoryFileIO::Exists(std::string_view location) {
  std::lock_guard lock(state_->mutex);
  return state_->files.contains(LocalPath(location));
}

Result<std::vector<FileInfo>> MemoryFileIO::List(std::string_view prefix) {
  std::string dir = LocalPath(prefix);
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  dir.push_back('/');
  std::string base(prefix);  // locations keep the prefix's spelling, as LocalFileIO's do
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::lock_guard lock(state_->mutex);
  std::vector<FileInfo> out;
  for (auto it = state_->files.lower_bound(dir);
       it != state_->files.end() && it->first.starts_with(dir); ++it) {
    out.push_back(
        {base + it->first.substr(dir.size() - 1), static_cast<int64_t>(it->second.size())});
  }
  return out;
}

void MemoryFileIO::LosePowerNow() {
  std::lock_guard lock(state_->mutex);
  ++state_->power_cycle;
}

}  // namespace floe
