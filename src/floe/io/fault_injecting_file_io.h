// A FileIO in front of another that fails on purpose: the means to prove
// that every crash point of a commit leaves a table whole (the old state
// or the new one, never a mix, never a lost acknowledged commit).
//
// Arm(op, n, fault) makes the n-th operation of kind `op` from then on
// fail in one of three ways:
//   kError       the operation fails and has no effect;
//   kErrorAfter  the operation takes effect, then reports an error (an
//                answer lost after the fact: the caller cannot tell);
//   kCrash       the process stops here: this operation and every later
//                one fail without effect, as if floe had been killed (with
//                a MemoryFileIO below, LosePowerNow() then drops what was
//                never made durable);
//   kKill        the process is killed (SIGKILL) before the operation, and
//   kKillAfter   after it took effect: for tests that run floe itself,
//                armed by the FLOE_FAULTS environment variable (Parse).
// Thread-safe; counts are per kind and start at Arm.
#pragma once

#include <array>
#include <atomic>
#include <mutex>
#include <string>
#include <string_view>

#include "floe/io/file_io.h"

namespace floe {

class FaultInjectingFileIO final : public FileIO {
 public:
  enum class Op { kOpenInput, kCreate, kAppend, kClose, kWriteAtomically, kDelete, kExists, kList };
  static constexpr size_t kOps = 8;
  enum class Fault { kError, kErrorAfter, kCrash, kKill, kKillAfter };
  static constexpr size_t kFaults = 5;
  struct Armed {
    Op op = Op::kCreate;
    int nth = 1;
    Fault fault = Fault::kError;
  };
  // "OP:N:FAULT", e.g. "close:3:kill": OP one of OpName's names, N >= 1,
  // FAULT one of error, error-after, crash, kill, kill-after.
  static Result<Armed> Parse(std::string_view spec);

  // REQUIRES: `base` outlives this.
  explicit FaultInjectingFileIO(FileIO& base) : base_(base) {}

  void Arm(Op op, int nth, Fault fault);
  void Arm(const Armed& armed) { Arm(armed.op, armed.nth, armed.fault); }
  void Disarm();
  // Operations of `op` since the last Arm (or since made).
  int Count(Op op) const;
  bool crashed() const { return crashed_; }
  static std::string_view OpName(Op op);
  static std::string_view FaultName(Fault fault);  // "error", "error-after", ... (Parse's)

  Result<std::unique_ptr<InputFile>> OpenInput(std::string_view location) override;
  Result<std::unique_ptr<OutputFile>> Create(std::string_view location) override;
  Status WriteAtomically(std::string_view location, std::string_view content,
                         bool overwrite = false) override;
  Status Delete(std::string_view location) override;
  Result<bool> Exists(std::string_view location) override;
  Result<std::vector<FileInfo>> List(std::string_view prefix) override;

  // What an operation about to run must do: run, fail before (kError or a
  // crash), fail after (kErrorAfter) or kill the process after it.
  // Counts the operation (and kills the process for kKill).
  enum class Verdict { kRun, kFailBefore, kFailAfter, kKillAfter };
  Verdict Next(Op op);
  Status Injected(Op op, std::string_view location) const;

 private:
  FileIO& base_;
  mutable std::mutex mutex_;
  std::array<int, kOps> counts_{};
  bool armed_ = false;
  Op armed_op_ = Op::kCreate;
  int armed_nth_ = 0;
  Fault armed_fault_ = Fault::kError;
  std::atomic<bool> crashed_ = false;
};

}  // namespace floe
