// Runs the real `crossview` binary and checks what a user sees: exit codes, messages, JSON.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "crossview/util/file.h"
#include "crossview/util/testing.h"

namespace crossview {
namespace {

struct Result {
  int status = -1;
  std::string out;  // stdout and stderr together
};

Result RunCli(const std::string& args) {
  std::string cmd = std::string(CROSSVIEW_BINARY_DIR) + "/bin/crossview " + args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

TEST(CliTest, UnknownCommandExits2AndListsValidCommands) {
  Result r = RunCli("frobnicate");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("unknown command 'frobnicate'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("valid commands: help, version, data"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("usage: crossview <command>"), std::string::npos) << r.out;
}

TEST(CliTest, NoCommandExits2WithUsage) {
  Result r = RunCli("");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("usage:"), std::string::npos);
}

TEST(CliTest, BadFlagExits2WithOneLineAndUsage) {
  Result r = RunCli("version --frob");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out.rfind("crossview version: error: ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("--frob"), std::string::npos);
  EXPECT_NE(r.out.find("Usage: crossview version"), std::string::npos);
}

TEST(CliTest, HelpListsCommandsAndShowsCommandOptions) {
  Result r = RunCli("help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("version"), std::string::npos);
  Result v = RunCli("help version");
  EXPECT_EQ(v.status, 0);
  EXPECT_NE(v.out.find("--json"), std::string::npos) << v.out;
  EXPECT_EQ(RunCli("help nope").status, 2);
}

TEST(CliTest, VersionJsonIsValidAndNamesOpenBlas) {
  Result r = RunCli("version --json");
  ASSERT_EQ(r.status, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["blas"]["name"], "OpenBLAS") << r.out;
  EXPECT_NE(j["blas"]["library"].get<std::string>().find("openblas"), std::string::npos);
  EXPECT_GE(j["intra_op_threads"].get<int>(), 1);
  EXPECT_TRUE(j["cuda_available"].is_boolean());
  for (const char* k : {"crossview", "libtorch", "opencv", "gdal", "faiss"}) {
    EXPECT_FALSE(j[k].get<std::string>().empty()) << k;
  }
}

TEST(CliTest, DataVerifyReportsMissingCacheAndDamage) {
  TempDir tmp;
  Result missing = RunCli("data verify --cache " + tmp.path().string());
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.out.find("crossview data fetch"), std::string::npos) << missing.out;

  WriteFileAtomic(tmp.path() / "x.png", std::string("pixels"));
  WriteFileAtomic(tmp.path() / "SHA256SUMS",
                  std::string("0000000000000000000000000000000000000000000000000000000000000000  x.png\n"));
  Result bad = RunCli("data verify --json --cache " + tmp.path().string());
  EXPECT_EQ(bad.status, 1);
  auto brace = bad.out.find('{');
  ASSERT_NE(brace, std::string::npos) << bad.out;
  auto end = bad.out.rfind('}');
  nlohmann::json j = nlohmann::json::parse(bad.out.substr(brace, end - brace + 1));
  EXPECT_FALSE(j["ok"].get<bool>());
  EXPECT_EQ(j["problems"][0]["path"], "x.png");
}

TEST(CliTest, FetchedAerialCacheVerifies) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile("SHA256SUMS"));
  Result r = RunCli("data verify");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find(" 0 problem(s)"), std::string::npos) << r.out;
}

TEST(CliTest, ModelDescribeBackboneShorthand) {
  Result r = RunCli("model describe --method lpn --backbone resnet18 --preset cpu-tiny --json");
  ASSERT_EQ(r.status, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  // ResNet-18 at width 16: layer4 has 128 channels (ResNet-50 at width 16 would have 512).
  EXPECT_EQ(j["feature_maps"].back()[1], 128) << r.out.substr(0, 400);
  Result bad = RunCli("model describe --method msba --backbone vgg16");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("use --method imlnet"), std::string::npos) << bad.out;
}

TEST(CliTest, ModelDescribeReportsShapesMacsAndKeys) {
  Result r = RunCli("model describe --method mfrl --preset cpu-tiny --classes 9 --keys --json");
  ASSERT_EQ(r.status, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["input_size"], 64);
  EXPECT_EQ(j["eval"]["parts"], (std::vector<int64_t>{1, 64, 2}));
  EXPECT_EQ(j["eval"]["descriptor_dim"], 128);
  EXPECT_GT(j["eval"]["macs_per_image"].get<int64_t>(), 0);
  EXPECT_EQ(j["train"]["logits"].size(), 2u);
  EXPECT_EQ(j["train"]["logits"][0], (std::vector<int64_t>{2, 9}));
  bool alpha = false;
  for (const auto& k : j["keys"]) alpha |= k["key"] == "model_1.fusion.alpha" && k["shape"].empty();
  EXPECT_TRUE(alpha);
  Result bad = RunCli("model describe --method lpn --set data.size=3");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("describe takes model.* options only"), std::string::npos) << bad.out;
}

// One line on stderr for an error: "crossview NAME: error: ...".
size_t Lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST(CliTest, ImportExportAndModelRunOnTheOfficialDrlWeights) {
  auto dir = crossview::testing::SharedFile("parity/drl_mixcvt13_fpn_ce");
  CV_REQUIRE_FILE(dir / "weights.pth");
  TempDir tmp;
  const std::string w = (dir / "weights.pth").string(), t = tmp.path().string();
  Result imp = RunCli("import --json " + w + " " + t + "/drl");
  ASSERT_EQ(imp.status, 0) << imp.out;
  nlohmann::json j = nlohmann::json::parse(imp.out);
  EXPECT_EQ(j["arch"], "drl-mix");
  EXPECT_EQ(j["kind"], "drl");
  EXPECT_EQ(j["loaded"], 450);
  Result exp = RunCli("export --format safetensors " + t + "/drl " + t + "/drl.safetensors");
  ASSERT_EQ(exp.status, 0) << exp.out;
  EXPECT_NE(exp.out.find("450 tensors"), std::string::npos) << exp.out;
  // The exported file runs like the original .pth and gives the reference heatmap.
  Result run = RunCli("model run --arch drl-mix --weights " + t + "/drl.safetensors --inputs " + (dir / "inputs.pth").string() + " --out " + t + "/run");
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("heatmap_logits [2, 1, 384, 384]"), std::string::npos) << run.out;
  nlohmann::json outputs = nlohmann::json::parse(ReadFile(tmp.path() / "run" / "outputs.json"));
  EXPECT_EQ(outputs["outputs"].size(), 9u);  // logits, sigmoid, FPN P3, 3 + 3 stages
  // The output directory already exists: import refuses and leaves it alone.
  Result again = RunCli("import " + w + " " + t + "/drl");
  EXPECT_EQ(again.status, 2) << again.out;
  EXPECT_NE(again.out.find("already exists"), std::string::npos) << again.out;
}

TEST(CliTest, BadCheckpointsGiveOneClearLine) {
  auto msba = crossview::testing::SharedFile("parity/msba_head");
  auto drl = crossview::testing::SharedFile("parity/drl_mixcvt13_fpn_ce");
  CV_REQUIRE_FILE(msba / "head_weights.pth");
  CV_REQUIRE_FILE(drl / "weights.pth");
  TempDir tmp;
  const std::string t = tmp.path().string();
  // Corrupt: not a checkpoint at all.
  WriteFileAtomic(tmp.path() / "junk.pth", std::string(4096, 'x'));
  Result junk = RunCli("import " + t + "/junk.pth " + t + "/a");
  EXPECT_EQ(junk.status, 1) << junk.out;
  EXPECT_EQ(Lines(junk.out), 1u) << junk.out;
  EXPECT_NE(junk.out.find("junk.pth"), std::string::npos) << junk.out;
  // Truncated: the first 100 kB of the official zip.
  WriteFileAtomic(tmp.path() / "cut.pth", ReadFile(msba / "head_weights.pth").substr(0, 100000));
  Result cut = RunCli("import --arch msba " + t + "/cut.pth " + t + "/b");
  EXPECT_EQ(cut.status, 1) << cut.out;
  EXPECT_EQ(Lines(cut.out), 1u) << cut.out;
  EXPECT_NE(cut.out.find("cut.pth"), std::string::npos) << cut.out;
  // Another architecture: DRL weights as an MSBA retrieval model.
  Result arch = RunCli("import --arch msba " + (drl / "weights.pth").string() + " " + t + "/c");
  EXPECT_NE(arch.status, 0) << arch.out;
  EXPECT_EQ(Lines(arch.out), 1u) << arch.out;
  EXPECT_NE(arch.out.find("missing"), std::string::npos) << arch.out;
  // A wrong class count.
  Result classes = RunCli("import --arch msba --classes 700 " + (msba / "head_weights.pth").string() + " " + t + "/d");
  EXPECT_NE(classes.status, 0) << classes.out;
  EXPECT_EQ(Lines(classes.out), 1u) << classes.out;
  EXPECT_NE(classes.out.find("checkpoint_classes=701"), std::string::npos) << classes.out;
  EXPECT_NE(classes.out.find("expected_classes=700"), std::string::npos) << classes.out;
  // Nothing was written for any of them.
  for (const char* d : {"a", "b", "c", "d"}) EXPECT_FALSE(std::filesystem::exists(tmp.path() / d)) << d;
  // The MSBA head runs and writes its three outputs.
  Result run = RunCli("model run --arch msba-head --weights " + (msba / "head_weights.pth").string() + " --inputs " + (msba / "inputs.pth").string() +
                      " --out " + t + "/head");
  ASSERT_EQ(run.status, 0) << run.out;
  for (const char* n : {"part_pool.npy", "block_attention.npy", "descriptor_parts.npy"}) EXPECT_TRUE(std::filesystem::exists(tmp.path() / "head" / n)) << n;
}

TEST(CliTest, DrlLocateOnGeoreferencedAndPlainMaps) {
  auto weights = crossview::testing::SharedFile("parity/drl_mixcvt13_fpn_ce/weights.pth");
  CV_REQUIRE_FILE(weights);
  CV_REQUIRE_FILE(crossview::testing::AerialFile("rgdal/cea.tif"));
  const std::string uav = crossview::testing::AerialFile("opencv/aero1.jpg").string();
  const std::string geo_map = crossview::testing::AerialFile("rgdal/cea.tif").string();
  const std::string plain = crossview::testing::AerialFile("opencv/aero3.jpg").string();
  TempDir tmp;
  const std::string t = tmp.path().string();
  Result r = RunCli("drl locate --json --checkpoint " + weights.string() + " --uav " + uav + " --map " + geo_map + " --out " + t + "/geo");
  ASSERT_EQ(r.status, 0) << r.out;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["map_size_px"], (std::vector<int>{514, 515}));
  EXPECT_EQ(j["input_size"], 384);
  // The map pixel is the input pixel scaled by map/input (no half-pixel offset).
  EXPECT_DOUBLE_EQ(j["row"].get<double>(), j["peak_rc_input"][0].get<int>() * 515.0 / 384.0);
  EXPECT_DOUBLE_EQ(j["col"].get<double>(), j["peak_rc_input"][1].get<int>() * 514.0 / 384.0);
  // cea.tif covers 33.665–33.944 N, 117.308–117.641 W in its NAD27 datum (gdalinfo); WGS 84
  // moves that by ~0.001° here.
  EXPECT_GT(j["lat"].get<double>(), 33.66);
  EXPECT_LT(j["lat"].get<double>(), 33.95);
  EXPECT_LT(j["lon"].get<double>(), -117.30);
  EXPECT_GT(j["lon"].get<double>(), -117.65);
  EXPECT_GT(j["peak"].get<double>(), 0.0);
  EXPECT_TRUE(std::filesystem::exists(tmp.path() / "geo" / "heatmap.png"));
  EXPECT_EQ(nlohmann::json::parse(ReadFile(tmp.path() / "geo" / "result.json"))["lat"], j["lat"]);
  // A plain picture: row/col only.
  Result p = RunCli("drl locate --json --checkpoint " + weights.string() + " --uav " + uav + " --map " + plain + " --out " + t + "/plain");
  ASSERT_EQ(p.status, 0) << p.out;
  EXPECT_TRUE(nlohmann::json::parse(p.out)["lat"].is_null());
  // --truth needs a georeference; a missing map is one line naming it.
  Result truth = RunCli("drl locate --checkpoint " + weights.string() + " --uav " + uav + " --map " + plain + " --out " + t + "/x --truth 1,2");
  EXPECT_EQ(truth.status, 2) << truth.out;
  EXPECT_NE(truth.out.find("--truth needs a georeferenced map"), std::string::npos) << truth.out;
  Result missing = RunCli("drl locate --checkpoint " + weights.string() + " --uav " + uav + " --map " + t + "/nope.tif --out " + t + "/y");
  EXPECT_EQ(missing.status, 1) << missing.out;
  EXPECT_EQ(Lines(missing.out), 1u) << missing.out;
  EXPECT_NE(missing.out.find("nope.tif"), std::string::npos) << missing.out;
}

TEST(CliTest, ServeIsListedAndRefusesBadSetupsInOneLine) {
  EXPECT_NE(RunCli("help").out.find("serve"), std::string::npos);
  Result no_index = RunCli("serve --port 0");
  EXPECT_EQ(no_index.status, 2) << no_index.out;
  EXPECT_NE(no_index.out.find("--index is required"), std::string::npos) << no_index.out;
  Result bad_threads = RunCli("serve --index /nonexistent.idx --workers 4 --http-threads 4");
  EXPECT_EQ(bad_threads.status, 2) << bad_threads.out;
  EXPECT_NE(bad_threads.out.find("http_threads must exceed workers"), std::string::npos) << bad_threads.out;
  Result missing = RunCli("serve --index /nonexistent.idx --port 0");
  EXPECT_EQ(missing.status, 1) << missing.out;
  EXPECT_EQ(missing.out.rfind("crossview serve: error: index directory not found", 0), 0u) << missing.out;
  EXPECT_EQ(missing.out.find('\n'), missing.out.size() - 1) << "more than one line:\n" << missing.out;
}

// The product chain a user runs, on real orthophotos: a benchmark and a 1-epoch model, the
// robustness sweep, a georeferenced map with a flight, the index, tracking with compass headings,
// and the flight report whose table carries the same numbers as report.json.
TEST(CliTest, RobustnessSweepAndFlightReportOnATinyRun) {
  CV_REQUIRE_FILE(crossview::testing::AerialFile("SHA256SUMS"));
  TempDir tmp;
  const std::string t = tmp.path().string();
  ASSERT_EQ(RunCli("synth -q ir --preset tiny --seed 1 --out " + t + "/ir").status, 0);
  Result train = RunCli("train -q ir --method msba --preset cpu-tiny --epochs 1 --data " + t + "/ir --out " + t + "/run");
  ASSERT_EQ(train.status, 0) << train.out;

  Result rob = RunCli("eval -q ir-robustness --model " + t + "/run --data " + t + "/ir --study shift --values 0,10 --pad flip --out " + t + "/rob");
  ASSERT_EQ(rob.status, 0) << rob.out;
  const nlohmann::json rj = nlohmann::json::parse(ReadFile(tmp.path() / "rob" / "robustness_shift.json"));
  ASSERT_EQ(rj["rows"].size(), 2u);
  EXPECT_EQ(rj["rows"][0]["setting"], "0 px flip");
  EXPECT_EQ(rj["rows"][1]["setting"], "10 px flip");
  EXPECT_EQ(rj["rows"][0]["n_query"], 32);  // 8 test targets x 4 views
  EXPECT_TRUE(std::filesystem::exists(tmp.path() / "rob" / "robustness_shift.png"));
  EXPECT_NE(rob.out.find("| 10 px flip | D→S |"), std::string::npos) << rob.out;
  // The unshifted point is the plain evaluation.
  Result plain = RunCli("eval -q ir --model " + t + "/run --data " + t + "/ir --direction d2s --json");
  ASSERT_EQ(plain.status, 0) << plain.out;
  EXPECT_DOUBLE_EQ(rj["rows"][0]["recall@1"].get<double>(), nlohmann::json::parse(plain.out)[0]["recall@1"].get<double>());
  Result parts = RunCli("eval -q ir-robustness --model " + t + "/run --data " + t + "/ir --study parts --out " + t + "/rob");
  ASSERT_EQ(parts.status, 0) << parts.out;
  const nlohmann::json pj = nlohmann::json::parse(ReadFile(tmp.path() / "rob" / "robustness_parts.json"));
  EXPECT_EQ(pj["rows"][0]["setting"], "all parts");
  EXPECT_EQ(pj["rows"][1]["setting"], "global only");
  Result bad_size = RunCli("eval -q ir-robustness --model " + t + "/run --data " + t + "/ir --study size --values 50 --out " + t + "/rob");
  EXPECT_EQ(bad_size.status, 2) << bad_size.out;
  EXPECT_EQ(Lines(bad_size.out), 1u) << bad_size.out;

  ASSERT_EQ(RunCli("synth map --out " + t + "/map.tif --flight " + t + "/flight --frames 6 --tile-m 400 --size-px 96 --seed 2").status, 0);
  Result idx = RunCli("index build -q --map " + t + "/map.tif --checkpoint " + t + "/run --out " + t + "/idx --tile-m 120 --stride-m 60");
  ASSERT_EQ(idx.status, 0) << idx.out;
  Result track = RunCli("locate --index " + t + "/idx --sequence " + t + "/flight --truth " + t + "/flight/truth.csv --headings " + t +
                        "/flight/truth.csv --out " + t + "/track --track-radius-m 200");
  ASSERT_EQ(track.status, 0) << track.out;
  EXPECT_EQ(nlohmann::json::parse(ReadFile(tmp.path() / "track" / "summary.json"))["options"]["track"]["headings"], 6) << track.out;
  Result heading_one = RunCli("locate --index " + t + "/idx --sequence " + t + "/flight --out " + t + "/x --heading 30");
  EXPECT_EQ(heading_one.status, 2) << heading_one.out;
  EXPECT_NE(heading_one.out.find("--heading is for one --image"), std::string::npos) << heading_one.out;

  Result rep = RunCli("report flight --index " + t + "/idx --flight " + t + "/flight --track plain=" + t + "/track --out " + t + "/report");
  ASSERT_EQ(rep.status, 0) << rep.out;
  const nlohmann::json j = nlohmann::json::parse(ReadFile(tmp.path() / "report" / "report.json"));
  ASSERT_EQ(j["tracks"].size(), 1u);
  EXPECT_EQ(j["tracks"][0]["frames"], 6);
  char row[64];
  std::snprintf(row, sizeof(row), "plain       6 %7.1f", 100.0 * j["tracks"][0]["recall@1"].get<double>());
  EXPECT_NE(rep.out.find(row), std::string::npos) << rep.out;
  for (const char* f : {"report.html", "report.md", "overview.png", "errors.png"}) EXPECT_TRUE(std::filesystem::exists(tmp.path() / "report" / f)) << f;
  Result bad = RunCli("report flight --index " + t + "/idx --track nolabel --out " + t + "/r2");
  EXPECT_EQ(bad.status, 2) << bad.out;
  EXPECT_NE(bad.out.find("bad --track 'nolabel'"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace crossview
