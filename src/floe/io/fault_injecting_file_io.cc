#include "floe/io/fault_injecting_file_io.h"

#include <signal.h>
#include <unistd.h>

#include <charconv>

namespace floe {
namespace {

using Op = FaultInjectingFileIO::Op;
using Verdict = FaultInjectingFileIO::Verdict;

// Runs `run` as operation `op` of `io` the way the armed fault says: not at
// all, or with its result replaced by an error after it took effect.
template <typename F>
auto Around(FaultInjectingFileIO& io, Op op, std::string_view location, F&& run)
    -> decltype(run()) {
  const Verdict v = io.Next(op);
  if (v == Verdict::kFailBefore) return io.Injected(op, location);
  auto result = run();
  if (v == Verdict::kKillAfter) ::kill(::getpid(), SIGKILL);
  if (!result.ok() || v != Verdict::kFailAfter) return result;
  return io.Injected(op, location);
}

// An output whose appends and close are operations of their own.
class FaultyOutputFile final : public OutputFile {
 public:
  FaultyOutputFile(FaultInjectingFileIO& io, std::unique_ptr<OutputFile> base)
      : io_(io), base_(std::move(base)) {}

  const std::string& path() const override { return base_->path(); }
  int64_t position() const override { return base_->position(); }

  Status Append(std::span<const uint8_t> bytes) override {
    return Around(io_, Op::kAppend, path(), [&] { return base_->Append(bytes); });
  }
  Status Close() override {
    return Around(io_, Op::kClose, path(), [&] { return base_->Close(); });
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

std::string_view FaultInjectingFileIO::FaultName(Fault fault) {
  static constexpr std::string_view kNames[kFaults] = {"error", "error-after", "crash", "kill",
                                                       "kill-after"};
  return kNames[static_cast<size_t>(fault)];
}

Result<FaultInjectingFileIO::Armed> FaultInjectingFileIO::Parse(std::string_view spec) {
  auto bad = [&] {
    return Status::InvalidArgument(
        "fault '{}': expected OP:N:FAULT (OP open, create, append, close, write-atomically, "
        "delete, exists or list; N from 1; FAULT error, error-after, crash, kill or kill-after)",
        spec);
  };
  const size_t first = spec.find(':');
  const size_t second = first == std::string_view::npos ? first : spec.find(':', first + 1);
  if (second == std::string_view::npos) return bad();
  Armed armed;
  const std::string_view op = spec.substr(0, first);
  const std::string_view nth = spec.substr(first + 1, second - first - 1);
  const std::string_view fault = spec.substr(second + 1);
  size_t k = 0;
  while (k < kOps && OpName(static_cast<Op>(k)) != op) ++k;
  if (k == kOps) return bad();
  armed.op = static_cast<Op>(k);
  const auto [end, ec] = std::from_chars(nth.data(), nth.data() + nth.size(), armed.nth);
  if (ec != std::errc() || end != nth.data() + nth.size() || armed.nth < 1) return bad();
  size_t f = 0;
  while (f < kFaults && FaultName(static_cast<Fault>(f)) != fault) ++f;
  if (f == kFaults) return bad();
  armed.fault = static_cast<Fault>(f);
  return armed;
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
    case Fault::kKill:
      ::kill(::getpid(), SIGKILL);
      return Verdict::kFailBefore;  // not reached
    case Fault::kKillAfter:
      return Verdict::kKillAfter;
  }
  return Verdict::kRun;
}

Status FaultInjectingFileIO::Injected(Op op, std::string_view location) const {
  return Status::IOError("{}: injected fault in {}{}", location, OpName(op),
                         crashed_ ? " (crashed)" : "");
}

Result<std::unique_ptr<InputFile>> FaultInjectingFileIO::OpenInput(std::string_view location) {
  return Around(*this, Op::kOpenInput, location, [&] { return base_.OpenInput(location); });
}

Result<std::unique_ptr<OutputFile>> FaultInjectingFileIO::Create(std::string_view location) {
  FLOE_ASSIGN_OR_RETURN(
      auto file, Around(*this, Op::kCreate, location, [&] { return base_.Create(location); }));
  return std::unique_ptr<OutputFile>(std::make_unique<FaultyOutputFile>(*this, std::move(file)));
}

Status FaultInjectingFileIO::WriteAtomically(std::string_view location, std::string_view content,
                                             bool overwrite) {
  return Around(*this, Op::kWriteAtomically, location,
                [&] { return base_.WriteAtomically(location, content, overwrite); });
}

Status FaultInjectingFileIO::Delete(std::string_view location) {
  return Around(*this, Op::kDelete, location, [&] { return base_.Delete(location); });
}

Result<bool> FaultInjectingFileIO::Exists(std::string_view location) {
  return Around(*this, Op::kExists, location, [&] { return base_.Exists(location); });
}

Result<std::vector<FileInfo>> FaultInjectingFileIO::List(std::string_view prefix) {
  return Around(*this, Op::kList, prefix, [&] { return base_.List(prefix); });
}

}  // namespace floe
