// A progress bar with rate and ETA for long loops. It draws on stderr, and only when both stdout
// and stderr are terminals and --quiet is off; otherwise it stays silent (logs carry the summary).
//
//   ProgressBar bar(tiles.size(), "indexing");
//   for (...) { ...; bar.Add(1); }
//   bar.Finish();
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace crossview {

// Formats one line of the bar. `done` of `total` (total 0 = unknown), `elapsed_s` seconds so
// far, `width` columns for the bar itself. Pure, so it can be tested:
//   "indexing [##########----------]  50/100  50% 00:05<00:05 10.0 it/s"
std::string FormatProgressLine(const std::string& label, int64_t done, int64_t total,
                               double elapsed_s, int width = 30);

// "mm:ss", or "h:mm:ss" past an hour; "--:--" for negative or non-finite values.
std::string FormatDuration(double seconds);

class ProgressBar {
 public:
  struct Options {
    bool enabled_auto = true;  // draw only on a terminal and when not quiet
    bool force_enabled = false;  // draw regardless (tests)
    FILE* stream = stderr;
    double min_interval_s = 0.1;  // redraw at most this often
  };
  ProgressBar(int64_t total, std::string label);
  ProgressBar(int64_t total, std::string label, Options options);
  ~ProgressBar();

  void Add(int64_t n = 1);
  void Set(int64_t done);
  // Draws the final line and a newline (if drawing at all). Idempotent.
  void Finish();

  int64_t done() const { return done_; }
  double elapsed_s() const;
  bool enabled() const { return enabled_; }

 private:
  void MaybeDraw(bool force);

  int64_t total_;
  std::string label_;
  Options options_;
  bool enabled_;
  bool finished_ = false;
  int64_t done_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace crossview
