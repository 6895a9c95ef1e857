// Runs the real `crossview` binary and checks what a user sees: exit codes, messages, JSON.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
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

}  // namespace
}  // namespace crossview
