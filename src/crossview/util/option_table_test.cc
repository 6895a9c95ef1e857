#include "crossview/util/option_table.h"

#include <gtest/gtest.h>

#include "crossview/util/errors.h"
#include "crossview/util/file.h"

namespace crossview {
namespace {

struct Opts {
  double lr = 0.01;
  int epochs = 120;
  bool nesterov = true;
  std::string method = "msba";
  std::vector<int> milestones = {70, 110};
};

OptionTable Bind(Opts& o) {
  OptionTable t;
  t.Add("optim.lr", &o.lr, "learning rate");
  t.Add("train.epochs", &o.epochs);
  t.Add("optim.nesterov", &o.nesterov);
  t.Add("model.method", &o.method, "", {"baseline", "lpn", "msba"});
  t.Add("optim.milestones", &o.milestones);
  return t;
}

TEST(OptionTableTest, SetsTypedFieldsFromTextJsonAndFiles) {
  Opts o;
  OptionTable t = Bind(o);
  t.SetAssignment("optim.lr=0.5");
  t.Set("train.epochs", "3");
  t.Set("optim.nesterov", "false");
  t.Set("model.method", "lpn");
  t.Set("optim.milestones", "[1,2]");
  EXPECT_DOUBLE_EQ(o.lr, 0.5);
  EXPECT_EQ(o.epochs, 3);
  EXPECT_FALSE(o.nesterov);
  EXPECT_EQ(o.method, "lpn");
  EXPECT_EQ(o.milestones, (std::vector<int>{1, 2}));
  TempDir tmp;
  WriteFileAtomic(tmp.path() / "c.json", std::string(R"({"optim": {"lr": 0.25}, "train": {"epochs": 9}})"));
  t.SetFromFile((tmp.path() / "c.json").string());
  EXPECT_DOUBLE_EQ(o.lr, 0.25);
  EXPECT_EQ(o.epochs, 9);
  nlohmann::json j = t.ToJson();
  EXPECT_EQ(j["optim"]["lr"], 0.25);
  EXPECT_EQ(j["model"]["method"], "lpn");
  // ToJson → SetFromJson round-trips.
  Opts o2;
  OptionTable t2 = Bind(o2);
  t2.SetFromJson(j);
  EXPECT_EQ(t2.ToJson(), j);
}

TEST(OptionTableTest, UnknownKeysAndBadValuesAreClearErrors) {
  Opts o;
  OptionTable t = Bind(o);
  try {
    t.Set("optim.lrr", "1");
    FAIL();
  } catch (const InvalidArgumentError& e) {
    std::string w = e.what();
    EXPECT_NE(w.find("unknown option 'optim.lrr'"), std::string::npos);
    EXPECT_NE(w.find("optim.lr, optim.milestones"), std::string::npos) << w;
  }
  EXPECT_THROW(t.Set("train.epochs", "2.5"), InvalidArgumentError);
  EXPECT_THROW(t.Set("optim.nesterov", "yes"), InvalidArgumentError);
  EXPECT_THROW(t.Set("model.method", "fsra"), InvalidArgumentError);
  EXPECT_THROW(t.SetAssignment("novalue"), InvalidArgumentError);
  EXPECT_THROW(t.SetFromJson(nlohmann::json{{"model", {{"depth", 3}}}}), InvalidArgumentError);
  EXPECT_EQ(o.epochs, 120);  // failed sets change nothing
}

// Found by config_fuzz (tests/fuzz/regressions/config/): text that is not UTF-8 made the error
// message itself throw nlohmann's type_error, and a string option could hold a value that
// ToJson().dump() (the effective configuration) cannot write.
TEST(OptionTableTest, TextThatIsNotUtf8IsAnInvalidArgument) {
  Opts o;
  OptionTable t = Bind(o);
  EXPECT_THROW(t.Set("optim.milestones", "[0+r\"\xc6\xdf"), InvalidArgumentError);
  EXPECT_THROW(t.Set("optim.lr", "\xff"), InvalidArgumentError);
  OptionTable free_text;
  std::string name = "run";
  free_text.Add("name", &name);
  EXPECT_THROW(free_text.Set("name", "caf\xe9"), InvalidArgumentError);
  EXPECT_EQ(name, "run");
  free_text.Set("name", "caf\xc3\xa9");
  EXPECT_EQ(free_text.ToJson().dump(), "{\"name\":\"caf\xc3\xa9\"}");
}

}  // namespace
}  // namespace crossview
