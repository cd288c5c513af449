// FileIO (io/file_io.h): the local and in-memory implementations keep the
// same contract, and the fault-injecting one fails exactly where it is told.
#include "floe/io/file_io.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "floe/io/fault_injecting_file_io.h"
#include "temp_dir_test.h"

namespace floe {
namespace {

// Each implementation under the same tests, rooted at `root` (a file:// URI
// for the local one, so the spelling of locations is exercised too).
class FileIOContractTest : public floe::testing::TempDirTest,
                           public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    if (GetParam()) {
      io_ = &LocalFileIO();
      root_ = "file://" + dir_.string();
    } else {
      memory_ = std::make_unique<MemoryFileIO>();
      io_ = memory_.get();
      root_ = "/mem";
    }
  }

  Status Write(const std::string& location, std::string_view content) {
    FLOE_ASSIGN_OR_RETURN(auto out, io_->Create(location));
    FLOE_RETURN_IF_ERROR(out->Append(content));
    return out->Close();
  }

  std::unique_ptr<MemoryFileIO> memory_;
  FileIO* io_ = nullptr;
  std::string root_;
};

TEST_P(FileIOContractTest, CreateThenReadBackInNewDirectories) {
  const std::string location = root_ + "/t/data/site=S1/a.parquet";
  ASSERT_TRUE(Write(location, "hello parquet").ok());
  EXPECT_EQ(*io_->ReadAll(location), "hello parquet");
  auto in = io_->OpenInput(location);
  ASSERT_TRUE(in.ok());
  std::string part(6, '\0');
  ASSERT_TRUE((*in)->ReadAt(6, std::span(reinterpret_cast<uint8_t*>(part.data()), 6)).ok());
  EXPECT_EQ(part, "parque");
  EXPECT_EQ(io_->OpenInput(root_ + "/t/missing").status().code(), StatusCode::kNotFound);
}

TEST_P(FileIOContractTest, AtomicWritesNeverReplaceUnlessAsked) {
  const std::string location = root_ + "/t/metadata/00001.metadata.json";
  ASSERT_TRUE(io_->WriteAtomically(location, "{\"v\":1}").ok());
  EXPECT_EQ(io_->WriteAtomically(location, "{\"v\":2}").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*io_->ReadAll(location), "{\"v\":1}");
  ASSERT_TRUE(io_->WriteAtomically(location, "{\"v\":3}", /*overwrite=*/true).ok());
  EXPECT_EQ(*io_->ReadAll(location), "{\"v\":3}");
}

TEST_P(FileIOContractTest, DeleteExistsAndListByPrefix) {
  for (const char* name : {"t/b.avro", "t/a/x.parquet", "t/a/y.parquet", "u/z.avro"}) {
    ASSERT_TRUE(Write(root_ + "/" + name, name).ok());
  }
  auto listed = io_->List(root_ + "/t/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<std::string> locations;
  for (const FileInfo& f : *listed) locations.push_back(f.location);
  EXPECT_EQ(locations, (std::vector<std::string>{root_ + "/t/a/x.parquet", root_ + "/t/a/y.parquet",
                                                 root_ + "/t/b.avro"}));
  EXPECT_EQ((*listed)[2].size, 8);
  EXPECT_TRUE(io_->List(root_ + "/nothing")->empty());
  EXPECT_TRUE(*io_->Exists(root_ + "/u/z.avro"));
  ASSERT_TRUE(io_->Delete(root_ + "/u/z.avro").ok());
  EXPECT_FALSE(*io_->Exists(root_ + "/u/z.avro"));
  EXPECT_EQ(io_->Delete(root_ + "/u/z.avro").code(), StatusCode::kNotFound);
}

// What parsed-file caches rely on: a version that tells a file written anew
// apart (local files always have one; the in-memory store says it cannot).
TEST_P(FileIOContractTest, AVersionTellsAFileWrittenAnewApart) {
  const std::string location = root_ + "/t/metadata/v1.metadata.json";
  ASSERT_TRUE(io_->WriteAtomically(location, "{\"v\":1}").ok());
  const uint64_t first = (*io_->OpenInput(location))->version();
  EXPECT_EQ((*io_->OpenInput(location))->version(), first);  // stable while unchanged
  ASSERT_TRUE(io_->WriteAtomically(location, "{\"v\":2}", /*overwrite=*/true).ok());
  const uint64_t second = (*io_->OpenInput(location))->version();
  if (GetParam()) {
    EXPECT_NE(first, 0u);
    EXPECT_NE(second, first);
  } else {
    EXPECT_EQ(first, 0u);
    EXPECT_EQ(second, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(LocalAndMemory, FileIOContractTest, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "Local" : "Memory"; });

TEST(LocalUriTest, EverySpellingOfALocalPathBecomesOneFileUri) {
  EXPECT_EQ(LocalUri("/a/b"), "file:///a/b");
  EXPECT_EQ(LocalUri("file:/a/b/"), "file:///a/b");
  EXPECT_EQ(LocalUri("file:///a//b/../c"), "file:///a/c");
  EXPECT_EQ(LocalUri("/"), "file:///");
  const std::string relative = LocalUri("floe-data");
  EXPECT_EQ(relative, "file://" + (std::filesystem::current_path() / "floe-data").string());
  EXPECT_EQ(LocalPath(LocalUri("/a/b")), "/a/b");  // and back
}

TEST(MemoryFileIOTest, APowerLossKeepsOnlyClosedFiles) {
  MemoryFileIO io;
  auto done = io.Create("/t/done.parquet");
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE((*done)->Append("kept").ok());
  ASSERT_TRUE((*done)->Close().ok());
  auto pending = io.Create("/t/pending.parquet");
  ASSERT_TRUE(pending.ok());
  ASSERT_TRUE((*pending)->Append("half").ok());
  io.LosePowerNow();
  EXPECT_EQ((*pending)->Close().code(), StatusCode::kIOError);
  EXPECT_FALSE(*io.Exists("/t/pending.parquet"));
  EXPECT_EQ(*io.ReadAll("file:///t/done.parquet"), "kept");  // locations in any spelling
}

TEST(FaultInjectingFileIOTest, FailsTheNthOperationAsTold) {
  MemoryFileIO memory;
  FaultInjectingFileIO io(memory);
  using Op = FaultInjectingFileIO::Op;
  using Fault = FaultInjectingFileIO::Fault;

  io.Arm(Op::kWriteAtomically, 2, Fault::kError);
  EXPECT_TRUE(io.WriteAtomically("/m/1.json", "1").ok());
  EXPECT_EQ(io.WriteAtomically("/m/2.json", "2").code(), StatusCode::kIOError);
  EXPECT_FALSE(*memory.Exists("/m/2.json"));  // no effect
  EXPECT_TRUE(io.WriteAtomically("/m/3.json", "3").ok());
  EXPECT_EQ(io.Count(Op::kWriteAtomically), 3);

  io.Arm(Op::kWriteAtomically, 1, Fault::kErrorAfter);
  EXPECT_EQ(io.WriteAtomically("/m/4.json", "4").code(), StatusCode::kIOError);
  EXPECT_TRUE(*memory.Exists("/m/4.json"));  // it took effect; the caller was told otherwise

  io.Arm(Op::kClose, 1, Fault::kCrash);
  auto out = io.Create("/d/a.parquet");
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE((*out)->Append("rows").ok());
  EXPECT_EQ((*out)->Close().code(), StatusCode::kIOError);
  EXPECT_TRUE(io.crashed());
  EXPECT_FALSE(*memory.Exists("/d/a.parquet"));
  EXPECT_EQ(io.WriteAtomically("/m/5.json", "5").code(), StatusCode::kIOError);  // stopped
  EXPECT_EQ(io.ReadAll("/m/1.json").status().code(), StatusCode::kIOError);
  io.Disarm();
  EXPECT_EQ(*io.ReadAll("/m/1.json"), "1");
}

}  // namespace
}  // namespace floe
