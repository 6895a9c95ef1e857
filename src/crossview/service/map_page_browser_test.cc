// The map page in a real browser: runs the `crossview serve` binary on a free port over the
// shared tiny index (with a tiny DRL model and an example image), opens /?example=1 in headless
// Chromium and checks the DOM it ends with: status "done" and one result row per top-k tile.
// Also writes a screenshot to the build directory (test_artifacts/service-map.png).
//
// Skips when Chromium is not installed (scripts/setup.sh installs it), fails in CI (CI=true).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "crossview/data/image_io.h"
#include "crossview/pipeline/pipeline_test_support.h"
#include "crossview/service/service_test_support.h"
#include "crossview/util/file.h"
#include "crossview/util/testing.h"

namespace crossview::service {
namespace {

namespace fs = std::filesystem;

fs::path FindOnPath(const std::vector<std::string>& names) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t colon = dirs.find(':', start);
    const std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    for (const std::string& n : names) {
      const fs::path p = fs::path(dir) / n;
      if (!dir.empty() && access(p.c_str(), X_OK) == 0) return p;
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return {};
}

// `crossview serve ...` as a child process whose stdout we read; stopped with SIGTERM.
class ServeProcess {
 public:
  explicit ServeProcess(const std::vector<std::string>& args, const fs::path& log) {
    // Everything the child needs is prepared before fork(): after it, only exec-safe calls.
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int err = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int out[2];
    if (err < 0 || pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      close(out[0]);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(err);
    close(out[1]);
    stdout_ = out[0];
  }
  ~ServeProcess() {
    if (pid_ > 0 && status_ < 0) Stop();
    if (stdout_ >= 0) close(stdout_);
  }

  // Reads stdout until the "listening on URL" line; "" if it does not come within `timeout_s`.
  std::string WaitForUrl(double timeout_s) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    std::string text;
    const std::regex listening(R"(listening on (http://[0-9.]+:[0-9]+/))");
    while (std::chrono::steady_clock::now() < deadline) {
      fd_set fds;
      FD_ZERO(&fds);
      FD_SET(stdout_, &fds);
      timeval tv{0, 200000};
      if (select(stdout_ + 1, &fds, nullptr, nullptr, &tv) > 0) {
        char buf[512];
        const ssize_t n = read(stdout_, buf, sizeof(buf));
        if (n <= 0) return "";
        text.append(buf, static_cast<size_t>(n));
        std::smatch m;
        if (std::regex_search(text, m, listening)) return m[1];
      }
    }
    return "";
  }

  // SIGTERM, then the exit status (0 for a clean stop).
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int st = 0;
    waitpid(pid_, &st, 0);
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int stdout_ = -1;
  int status_ = -1;
};

std::string RunCapture(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(ServiceMapPageTest, HeadlessChromiumLocatesTheExampleImage) {
  CV_REQUIRE_FILE(pipeline::testing::TextureFile());
  CV_REQUIRE_FILE("/usr/share/javascript/leaflet/leaflet.js");
  fs::path chromium = FindOnPath({"chromium", "chromium-browser", "google-chrome"});
  if (chromium.empty()) chromium = "/usr/bin/chromium";
  CV_REQUIRE_FILE(chromium);

  TempDir tmp("service_browser");
  const fs::path example = tmp.path() / "example.png";
  data::SaveImage(example, testing::QueryImage());
  const fs::path binary = fs::path(CROSSVIEW_BINARY_DIR) / "bin" / "crossview";
  ServeProcess serve({binary.string(), "serve", "--index", pipeline::testing::Shared().index.string(), "--drl-checkpoint",
                      testing::TinyDrlModel().string(), "--device", "cpu", "--port", "0", "--workers", "1", "--http-threads", "8",
                      "--example", example.string()},
                     tmp.path() / "serve.log");
  const std::string url = serve.WaitForUrl(120);
  ASSERT_FALSE(url.empty()) << "crossview serve did not start:\n" << ReadFile(tmp.path() / "serve.log");
  const std::string page = url + "?example=1&top_k=5&refine=drl";
  const std::string common = chromium.string() + " --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run" +
                             " --disable-background-networking --disable-extensions --hide-scrollbars --user-data-dir=" +
                             (tmp.path() / "profile").string() + " --window-size=1200,800 --virtual-time-budget=30000 ";

  const std::string dom = RunCapture(common + "--dump-dom '" + page + "' 2>" + (tmp.path() / "chromium.log").string());
  ASSERT_NE(dom.find("<html"), std::string::npos) << "chromium printed no DOM:\n" << ReadFile(tmp.path() / "chromium.log");
  // The real assertions: the page finished a locate and lists every top-k tile.
  EXPECT_NE(dom.find(R"(id="status" data-state="done">done<)"), std::string::npos)
      << dom.substr(0, 4000) << "\nserver log:\n" << ReadFile(tmp.path() / "serve.log");
  EXPECT_EQ(Count(dom, R"(class="result-row)"), 5u);
  EXPECT_EQ(Count(dom, R"(class="result-row best")"), 1u);
  // Leaflet drew the map: the overview and the heatmap as image overlays, the answer's marker
  // (its icon found through leaflet.css), and the refined summary.
  EXPECT_GE(Count(dom, "leaflet-image-layer"), 2u);
  EXPECT_NE(dom.find("leaflet-marker-icon"), std::string::npos);
  EXPECT_NE(dom.find("/static/leaflet/images/marker-icon.png"), std::string::npos);
  EXPECT_NE(dom.find("retrieval+drl"), std::string::npos);

  const fs::path shots = fs::path(CROSSVIEW_BINARY_DIR) / "test_artifacts";
  fs::create_directories(shots);
  const fs::path shot = shots / "service-map.png";
  fs::remove(shot);
  RunCapture(common + "--screenshot=" + shot.string() + " '" + page + "' 2>>" + (tmp.path() / "chromium.log").string());
  ASSERT_TRUE(fs::exists(shot)) << ReadFile(tmp.path() / "chromium.log");
  const cv::Mat png = data::LoadImageRgb(shot);
  EXPECT_EQ(png.cols, 1200);
  EXPECT_EQ(png.rows, 800);

  EXPECT_EQ(serve.Stop(), 0) << "crossview serve did not stop cleanly on SIGTERM:\n" << ReadFile(tmp.path() / "serve.log");
  const std::string log = ReadFile(tmp.path() / "serve.log");
  EXPECT_NE(log.find("POST /v1/locate 200"), std::string::npos) << log;
  EXPECT_NE(log.find("GET /v1/example 200"), std::string::npos) << log;
}

}  // namespace
}  // namespace crossview::service
