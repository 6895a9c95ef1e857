// The SUES-200 and multitemporal layouts, generated with the tiny preset.
#include "crossview/data/ir_layout.h"

#include <gtest/gtest.h>

#include <set>

#include "crossview/data/synth_test_support.h"
#include "crossview/util/paths.h"

namespace crossview::data {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Strings = std::vector<std::string>;
using testing::Entries;

std::set<std::string> Ids(const fs::path& dir) {
  const Strings e = Entries(dir, true);
  return {e.begin(), e.end()};
}

std::set<std::string> TargetIds(const Json& manifest, const std::string& split) {
  std::set<std::string> out;
  for (const Json& t : manifest["targets"]) {
    if (t["split"] == split) out.insert(t["id"].get<std::string>());
  }
  return out;
}

std::set<std::string> Union(std::set<std::string> a, const std::set<std::string>& b) {
  a.insert(b.begin(), b.end());
  return a;
}

TEST(IrLayoutTest, Sues200WritesEveryHeightAndFullGalleries) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  IrSynthOptions o = IrPreset("tiny");
  o.layout = IrLayout::kSues200;
  const fs::path d = testing::Generate(o, "tiny-sues");
  const Json m = testing::ReadManifest(d);
  EXPECT_EQ(m["layout"], "sues200");
  EXPECT_EQ(Entries(d, true), (Strings{"Testing", "Training"}));
  EXPECT_EQ(Entries(d / "Training", true), (Strings{"150", "200", "250", "300"}));
  EXPECT_EQ(Entries(d / "Testing", true), (Strings{"150", "200", "250", "300"}));
  const std::set<std::string> train = TargetIds(m, "train"), test = TargetIds(m, "test");
  const std::set<std::string> distractors = TargetIds(m, "distractor");
  ASSERT_FALSE(train.empty());
  ASSERT_FALSE(test.empty());
  for (const std::string h : {"150", "200", "250", "300"}) {
    const fs::path tr = d / "Training" / h, te = d / "Testing" / h;
    EXPECT_EQ(Entries(tr, true), (Strings{"drone", "satellite"}));
    EXPECT_EQ(Entries(te, true), (Strings{"gallery_drone", "gallery_satellite", "query_drone", "query_satellite"}));
    EXPECT_EQ(Ids(tr / "drone"), train);
    EXPECT_EQ(Ids(tr / "satellite"), train);
    EXPECT_EQ(Ids(te / "query_drone"), test);
    EXPECT_EQ(Ids(te / "query_satellite"), test);
    // SUES-200's split: the galleries hold every place (training places act as distractors), and
    // the satellite gallery the extra distractor tiles too.
    EXPECT_EQ(Ids(te / "gallery_drone"), Union(train, test));
    EXPECT_EQ(Ids(te / "gallery_satellite"), Union(Union(train, test), distractors));
    const std::string id = *train.begin();
    EXPECT_EQ(Entries(tr / "drone" / id, false), (Strings{"01.jpg", "02.jpg"}));
    EXPECT_EQ(Entries(tr / "satellite" / id, false), (Strings{id + ".jpg"}));
    // One tile per place, the same bytes under every height.
    EXPECT_EQ(Sha256File(tr / "satellite" / id / (id + ".jpg")),
              Sha256File(d / "Training/150/satellite" / id / (id + ".jpg")));
  }
  // Heights differ: the 150 m and 300 m views of a place are different images.
  const std::string id = *test.begin();
  EXPECT_NE(Sha256File(d / "Testing/150/query_drone" / id / "01.jpg"), Sha256File(d / "Testing/300/query_drone" / id / "01.jpg"));
  for (const Json& image : m["images"]) {
    if (image["view"] != "drone") continue;
    const std::string path = image["path"];
    const int h = image["pattern"]["height_group_m"];
    EXPECT_NE(path.find("/" + std::to_string(h) + "/"), std::string::npos) << path;
    EXPECT_DOUBLE_EQ(image["camera"]["height_m"].get<double>(), h);
    EXPECT_DOUBLE_EQ(image["camera"]["tilt_deg"].get<double>(), 30.0);
    EXPECT_DOUBLE_EQ(image["camera"]["hfov_deg"].get<double>(), 40.0);
  }
}

TEST(IrLayoutTest, MultitemporalWritesEveryMemberForTrainingAndHoldsOneOutForTheGallery) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  IrSynthOptions o = IrPreset("tiny");
  o.layout = IrLayout::kMultitemporal;
  o.temporal = TemporalMode::kMulti;
  const fs::path d = testing::Generate(o, "tiny-multi");
  const Json m = testing::ReadManifest(d);
  EXPECT_EQ(Entries(d, true), (Strings{"test", "train"}));
  std::map<std::string, Json> targets;
  for (const Json& t : m["targets"]) targets[t["id"]] = t;
  int with_variant = 0;
  for (const std::string& id : Entries(d / "train/satellite", true)) {
    const Strings files = Entries(d / "train/satellite" / id, false);
    if (targets[id]["family"] == "uk-countryside1") {  // uk_countryside1 + countryside1.green
      EXPECT_EQ(files, (Strings{id + ".jpg", id + "_t1.jpg"}));
      ++with_variant;
    } else {
      EXPECT_EQ(files, (Strings{id + ".jpg"}));
    }
  }
  EXPECT_EQ(with_variant, 4);
  int held_out = 0;
  for (const Json& image : m["images"]) {
    const std::string path = image["path"];
    const std::string family = targets[image["id"]]["family"];
    if (path.rfind("test/gallery_satellite/", 0) == 0 && family == "uk-countryside2") {
      EXPECT_EQ(image["texture"], "countryside2.green") << path;
      ++held_out;
    }
    if (path.rfind("test/query_satellite/", 0) == 0 && family == "uk-countryside2") {
      EXPECT_EQ(image["texture"], "uk_countryside2") << path;
    }
    if (path.find("_t1.jpg") != std::string::npos) {
      EXPECT_EQ(image["texture"], "countryside1.green") << path;
    }
    if (image["view"] == "drone") {
      EXPECT_EQ(image["texture"], targets[image["id"]]["texture"]);  // the base
    }
  }
  // The 4 test targets of uk-countryside2, plus any distractor cut from it (galleries use the
  // held-out member for distractors too).
  const auto distractors_from_uk = std::count_if(m["targets"].begin(), m["targets"].end(), [](const Json& t) {
    return t["split"] == "distractor" && t["family"] == "uk-countryside2";
  });
  EXPECT_EQ(held_out, 4 + distractors_from_uk);
}

// The ci preset planned on the real textures (nothing rendered), and the full preset's layout
// built on that plan: counts follow from the options without generating full.
TEST(IrLayoutTest, CiPlanCountsAndFullPresetJobCounts) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile(testing::kTexturesTsv));
  const IrSynthOptions ci = IrPreset("ci");
  const SynthCatalog catalog =
      TextureCatalog(geo::ReadTextureTable(AerialCacheDir() / testing::kTexturesTsv), AerialCacheDir(), ci);
  std::vector<LoadedMap> maps(catalog.sources.size());
  for (const SynthFamily& f : catalog.families) {
    maps[static_cast<size_t>(f.members[0])] = LoadMapSource(catalog.sources[static_cast<size_t>(f.members[0])]);
  }
  IrPlan plan = PlanIrTargets(ci, catalog, maps, 2);
  // 14 train families (2 more are validation), 6 test families of which california-port cannot
  // host the spiral; at most 8 targets each; 15 distractors.
  EXPECT_LE(plan.Count("train"), 14 * 8);
  EXPECT_GE(plan.Count("train"), 90);
  EXPECT_EQ(plan.Count("validation"), 16);
  EXPECT_EQ(plan.Count("test"), 5 * 8);
  EXPECT_EQ(plan.Count("distractor"), 15);
  std::map<std::string, int> per_family;
  for (const PlannedTarget& t : plan.targets) {
    if (t.split != "distractor") ++per_family[catalog.families[static_cast<size_t>(t.family)].name];
  }
  EXPECT_EQ(per_family.count("california-port"), 0u);  // it still gives distractor tiles (300 m fit)
  for (const auto& [family, n] : per_family) EXPECT_LE(n, 8) << family;
  const std::vector<ImageJob> ci_jobs = BuildIrJobs(ci, catalog, plan);
  size_t drone_jobs = 0;
  for (const ImageJob& j : ci_jobs) drone_jobs += j.drone;
  EXPECT_EQ(drone_jobs, 12u * static_cast<size_t>(plan.Count("train") + plan.Count("validation") + plan.Count("test")));

  const IrSynthOptions full = IrPreset("full");
  plan.views = SpiralViews(full.spiral);
  const std::vector<ImageJob> jobs = BuildIrJobs(full, catalog, plan);
  int64_t expected_files = 0, expected_renders = 0;
  for (const PlannedTarget& t : plan.targets) {
    const bool multi = catalog.families[static_cast<size_t>(t.family)].members.size() >= 2;
    if (t.split == "train") {
      expected_renders += 54 + 1;
      expected_files += 54 + 1;
    } else if (t.split == "validation") {
      expected_renders += 54 + 1;
      expected_files += 54 * 2 + 2;
    } else if (t.split == "test") {
      // query + gallery, twice more in test_occlusion, and twice more in test_cross when the
      // family has another member (whose tile is one more rendering).
      expected_renders += 54 + 1 + (multi ? 1 : 0);
      expected_files += 54 * (multi ? 6 : 4) + 4 + (multi ? 2 : 0);
    } else {
      expected_renders += 1 + (multi ? 1 : 0);
      expected_files += 3;  // test, test_occlusion and test_cross galleries
    }
  }
  int64_t files = 0, occluded = 0;
  for (const ImageJob& j : jobs) {
    files += static_cast<int64_t>(j.clean_paths.size() + j.occluded_paths.size());
    occluded += static_cast<int64_t>(j.occluded_paths.size());
    for (const std::string& p : j.occluded_paths) EXPECT_EQ(p.rfind("test_occlusion/", 0), 0u) << p;
  }
  EXPECT_EQ(static_cast<int64_t>(jobs.size()), expected_renders);
  EXPECT_EQ(files, expected_files);
  EXPECT_EQ(occluded, 54 * 2 * plan.Count("test") + 2 * plan.Count("test") + plan.Count("distractor"));
}

}  // namespace
}  // namespace crossview::data
