#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "floe/catalog/catalog.h"
#include "temp_dir_test.h"

namespace floe::catalog {
namespace {

class SqliteCatalogTest : public floe::testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto c = OpenSqliteCatalog((dir_ / "catalog.db").string());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
  }
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(SqliteCatalogTest, CommitIsACompareAndSwap) {
  ASSERT_TRUE(catalog_->CreateNamespace({"edc"}, {}).ok());
  const TableIdentifier id{{"edc"}, "audit"};
  ASSERT_TRUE(catalog_->CreateTable(id, "/m/v0.json").ok());
  EXPECT_TRUE(catalog_->CommitTable(id, "/m/v0.json", "/m/v1.json").ok());
  // A writer that still believes v0 is current loses.
  Status lost = catalog_->CommitTable(id, "/m/v0.json", "/m/v1-other.json");
  EXPECT_EQ(lost.code(), StatusCode::kConflict) << lost.ToString();
  EXPECT_EQ(*catalog_->LoadTable(id), "/m/v1.json");
  EXPECT_EQ(catalog_->CommitTable({{"edc"}, "nope"}, "a", "b").code(), StatusCode::kNotFound);
}

TEST_F(SqliteCatalogTest, NamespacesNestAndMustBeEmptyToDrop) {
  ASSERT_TRUE(catalog_->CreateNamespace({"trials"}, {{"owner", "dm"}}).ok());
  ASSERT_TRUE(catalog_->CreateNamespace({"trials", "edc"}, {}).ok());
  EXPECT_EQ(catalog_->CreateNamespace({"trials"}, {}).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*catalog_->ListNamespaces({}), (std::vector<Namespace>{{"trials"}}));
  EXPECT_EQ(*catalog_->ListNamespaces({"trials"}), (std::vector<Namespace>{{"trials", "edc"}}));
  EXPECT_EQ(catalog_->LoadNamespaceProperties({"trials"})->at("owner"), "dm");
  ASSERT_TRUE(catalog_->CreateTable({{"trials", "edc"}, "t"}, "/m.json").ok());
  EXPECT_EQ(catalog_->DropNamespace({"trials", "edc"}).code(), StatusCode::kConflict);
  ASSERT_TRUE(catalog_->DropTable({{"trials", "edc"}, "t"}).ok());
  EXPECT_TRUE(catalog_->DropNamespace({"trials", "edc"}).ok());
  EXPECT_EQ(catalog_->CreateNamespace({".."}, {}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(catalog_->CreateTable({{"nope"}, "t"}, "/m.json").code(), StatusCode::kNotFound);
}

TEST(TableIdentifierTest, ParsesNamespacesAndNames) {
  auto id = TableIdentifier::Parse("trials.edc.audit");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->ns, (Namespace{"trials", "edc"}));
  EXPECT_EQ(id->name, "audit");
  EXPECT_EQ(id->ToString(), "trials.edc.audit");
  for (const char* bad : {"audit", "edc.", ".audit", "a..b"})
    EXPECT_FALSE(TableIdentifier::Parse(bad).ok()) << bad;
}

}  // namespace
}  // namespace floe::catalog
