#include "directory/diff.h"

#include <gtest/gtest.h>

namespace helpline::directory {
namespace {

Resource Make(std::string id, int priority = 50) {
  Resource r;
  r.id = std::move(id);
  r.name = "Line " + r.id;
  r.categories = {Category::kCrisis};
  r.regions = {"US"};
  r.languages = {"en"};
  r.channels = {{ChannelKind::kVoice, "988", "", "", "", ""}};
  r.priority = priority;
  return r;
}

TEST(DirectoryDiff, FindsAddedRemovedAndChangedFieldByField) {
  std::vector<Resource> before = {Make("a"), Make("b"), Make("c", 10)};
  std::vector<Resource> after = {Make("b"), Make("c", 20), Make("d")};
  after[1].channels[0].value = "911";
  DirectoryDiff d = DiffDirectories(before, after);
  EXPECT_EQ(d.added, std::vector<std::string>{"d"});
  EXPECT_EQ(d.removed, std::vector<std::string>{"a"});
  ASSERT_EQ(d.changed.size(), 1u);
  EXPECT_EQ(d.changed[0].id, "c");
  ASSERT_EQ(d.changed[0].fields.size(), 2u);
  EXPECT_EQ(d.changed[0].fields[0].field, "channels");
  EXPECT_EQ(d.changed[0].fields[1].field, "priority");
  EXPECT_EQ(d.changed[0].fields[1].before, "10");
  EXPECT_EQ(d.changed[0].fields[1].after, "20");
  std::string text = FormatDiff(d);
  EXPECT_NE(text.find("+ d\n"), std::string::npos);
  EXPECT_NE(text.find("- a\n"), std::string::npos);
  EXPECT_NE(text.find("~ c: priority: 10 -> 20\n"), std::string::npos) << text;
  EXPECT_NE(text.find("1 added, 1 removed, 1 changed"), std::string::npos);
}

TEST(DirectoryDiff, IdenticalDirectoriesHaveNoChanges) {
  std::vector<Resource> v = {Make("a"), Make("b")};
  DirectoryDiff d = DiffDirectories(v, v);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(FormatDiff(d), "no changes\n");
}

TEST(DirectoryDiff, EverythingIsAddedToAnEmptyStore) {
  DirectoryDiff d = DiffDirectories({}, {Make("a"), Make("b")});
  EXPECT_EQ(d.added.size(), 2u);
  EXPECT_TRUE(d.removed.empty());
}

}  // namespace
}  // namespace helpline::directory
