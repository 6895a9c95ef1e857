#include "crossview/util/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "crossview/util/log.h"

namespace crossview {

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  auto total = static_cast<int64_t>(std::llround(seconds));
  int64_t h = total / 3600, m = (total / 60) % 60, s = total % 60;
  char buf[32];
  if (h > 0) {
    std::snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld", static_cast<long long>(h),
                  static_cast<long long>(m), static_cast<long long>(s));
  } else {
    std::snprintf(buf, sizeof(buf), "%02lld:%02lld", static_cast<long long>(m), static_cast<long long>(s));
  }
  return buf;
}

std::string FormatProgressLine(const std::string& label, int64_t done, int64_t total,
                               double elapsed_s, int width) {
  std::string line = label.empty() ? "" : label + " ";
  double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0.0;
  char rate_buf[32];
  std::snprintf(rate_buf, sizeof(rate_buf), "%.1f it/s", rate);
  if (total > 0) {
    double frac = std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0);
    int filled = static_cast<int>(std::floor(frac * width));
    line += "[" + std::string(filled, '#') + std::string(width - filled, '-') + "] ";
    std::string total_s = std::to_string(total);
    std::string done_s = std::to_string(done);
    if (done_s.size() < total_s.size()) done_s.insert(0, total_s.size() - done_s.size(), ' ');
    char pct[16];
    std::snprintf(pct, sizeof(pct), "%3d%%", static_cast<int>(std::floor(frac * 100)));
    double eta = (done > 0 && done < total) ? elapsed_s * static_cast<double>(total - done) / done
                 : done >= total             ? 0.0
                                             : -1.0;
    line += done_s + "/" + total_s + " " + pct + " " + FormatDuration(elapsed_s) + "<" +
            FormatDuration(eta) + " " + rate_buf;
  } else {
    line += std::to_string(done) + " " + FormatDuration(elapsed_s) + " " + rate_buf;
  }
  return line;
}

ProgressBar::ProgressBar(int64_t total, std::string label) : ProgressBar(total, std::move(label), Options{}) {}

ProgressBar::ProgressBar(int64_t total, std::string label, Options options)
    : total_(total), label_(std::move(label)), options_(options) {
  enabled_ = options_.force_enabled ||
             (options_.enabled_auto && !IsQuiet() && ::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO));
  start_ = std::chrono::steady_clock::now();
  last_draw_ = start_ - std::chrono::hours(1);
}

ProgressBar::~ProgressBar() { Finish(); }

double ProgressBar::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::Add(int64_t n) { Set(done_ + n); }

void ProgressBar::Set(int64_t done) {
  done_ = done;
  MaybeDraw(false);
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  MaybeDraw(true);
  std::fputc('\n', options_.stream);
  std::fflush(options_.stream);
}

void ProgressBar::MaybeDraw(bool force) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && std::chrono::duration<double>(now - last_draw_).count() < options_.min_interval_s) return;
  last_draw_ = now;
  std::string line = FormatProgressLine(label_, done_, total_, elapsed_s());
  std::fprintf(options_.stream, "\r%s\x1b[K", line.c_str());
  std::fflush(options_.stream);
}

}  // namespace crossview
