#include "floe/io/fault_injecting_file_io.h"

namespace floe {
namespace {

using Op = FaultInjectingFileIO::Op;
using Verdict = FaultInjectingFileIO::Verdict;

// An output whose appends and close are operations of their own.
class FaultyOutputFile final : public OutputFile {
 public:
  FaultyOutputFile(FaultInjectingFileIO& io, std::unique_ptr<OutputFile> base)
      : io_(io), base_(std::move(base)) {}

  const std::string& path() const override { return base_->path(); }
  int64_t position() const override { return base_->position(); }

  Status Append(std::span<const uint8_t> bytes) override {
    const Verdict v = io_.Next(Op::kAppend);
    if (v == Verdict::kFailBefore) return io_.Injected(Op::kAppend, path());
    FLOE_RETURN_IF_ERROR(base_->Append(bytes));
    return v == Verdict::kFailAfter ? io_.Injected(Op::kAppend, path()) : Status::OK();
  }

  Status Close() override {
    const Verdict v = io_.Next(Op::kClose);
    if (v == Verdict::kFailBefore) return io_.Injected(Op::kClose, path());
    FLOE_RETURN_IF_ERROR(base_->Close());
    return v == Verdict::kFailAfter ? io_.Injected(Op::kClose, path()) : Status::OK();
  }

 private:
  FaultInjectingFileIO& io_;
  std::unique_ptr<OutputFile> base_;
};

}  // namespace

std::string_view FaultInjectingFileIO::OpName(Op op) {
  static constexpr std::string_view kNames[kOps] = {
      "open", "create", "append", "close", "write-atomically", "delete", "exists", "list"};
  return kNames[static_cast<size_t>(op)];
}

void FaultInjectingFileIO::Arm(Op op, int nth, Fault fault) {
  std::lock_guard lock(mutex_);
  counts_.fill(0);
  armed_ = true;
  armed_op_ = op;
  armed_nth_ = nth;
  armed_fault_ = fault;
  crashed_ = false;
}

void FaultInjectingFileIO::Disarm() {
  std::lock_guard lock(mutex_);
  armed_ = false;
  crashed_ = false;
}

int FaultInjectingFileIO::Count(Op op) const {
  std::lock_guard lock(mutex_);
  return counts_[static_cast<size_t>(op)];
}

FaultInjectingFileIO::Verdict FaultInjectingFileIO::Next(Op op) {
  std::lock_guard lock(mutex_);
  if (crashed_) return Verdict::kFailBefore;
  const int n = ++counts_[static_cast<size_t>(op)];
  if (!armed_ || op != armed_op_ || n != armed_nth_) return Verdict::kRun;
  switch (armed_fault_) {
    case Fault::kError:
      return Verdict::kFailBefore;
    case Fault::kErrorAfter:
      return Verdict::kFailAfter;
    case Fault::kCrash:
      crashed_ = true;
      return Verdict::kFailBefore;
  }
  return Verdict::kRun;
}

Status FaultInjectingFileIO::Injected(Op op, std::string_view location) const {
  return Status::IOError("{}: injected fault in {}{}", location, OpName(op),
                         crashed_ ? " (crashed)" : "");
}

Result<std::unique_ptr<InputFile>> FaultInjectingFileIO::OpenInput(std::string_view location) {
  const Verdict v = Next(Op::kOpenInput);
  if (v == Verdict::kFailBefore) return Injected(Op::kOpenInput, location);
  FLOE_ASSIGN_OR_RETURN(auto file, base_.OpenInput(location));
  if (v == Verdict::kFailAfter) return Injected(Op::kOpenInput, location);
  return file;
}

Result<std::unique_ptr<OutputFile>> FaultInjectingFileIO::Create(std::string_view location) {
  const Verdict v = Next(Op::kCreate);
  if (v == Verdict::kFailBefore) return Injected(Op::kCreate, location);
  FLOE_ASSIGN_OR_RETURN(auto file, base_.Create(location));
  if (v == Verdict::kFailAfter) return Injected(Op::kCreate, location);
  return std::unique_ptr<OutputFile>(std::make_unique<FaultyOutputFile>(*this, std::move(file)));
}

Status FaultInjectingFileIO::WriteAtomically(std::string_view location, std::string_view content,
                                             bool overwrite) {
  const Verdict v = Next(Op::kWriteAtomically);
  if (v == Verdict::kFailBefore) return Injected(Op::kWriteAtomically, location);
  FLOE_RETURN_IF_ERROR(base_.WriteAtomically(location, content, overwrite));
  return v == Verdict::kFailAfter ? Injected(Op::kWriteAtomically, location) : Status::OK();
}

Status FaultInjectingFileIO::Delete(std::string_view location) {
  const Verdict v = Next(Op::kDelete);
  if (v == Verdict::kFailBefore) return Injected(Op::kDelete, location);
  FLOE_RETURN_IF_ERROR(base_.Delete(location));
  return v == Verdict::kFailAfter ? Injected(Op::kDelete, location) : Status::OK();
}

Result<bool> FaultInjectingFileIO::Exists(std::string_view location) {
  const Verdict v = Next(Op::kExists);
  if (v == Verdict::kFailBefore) return Injected(Op::kExists, location);
  FLOE_ASSIGN_OR_RETURN(bool exists, base_.Exists(location));
  if (v == Verdict::kFailAfter) return Injected(Op::kExists, location);
  return exists;
}

Result<std::vector<FileInfo>> FaultInjectingFileIO::List(std::string_view prefix) {
  const Verdict v = Next(Op::kList);
  if (v == Verdict::kFailBefore) return Injected(Op::kList, prefix);
  FLOE_ASSIGN_OR_RETURN(auto files, base_.List(prefix));
  if (v == Verdict::kFailAfter) return Injected(Op::kList, prefix);
  return files;
}

}  // namespace floe
