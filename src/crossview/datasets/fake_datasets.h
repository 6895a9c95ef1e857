// Tiny fake datasets for datasets_test: the real folder structures with a 69-byte PNG in place of
// every image. The readers never decode images; the bytes are a real 1×1 PNG all the same.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <filesystem>
#include <string>
#include <vector>

namespace crossview::datasets::testing {

namespace fs = std::filesystem;

// A valid 1×1 RGB PNG.
const std::string& TinyPng();
// Writes `contents` (default TinyPng()) to `file`, creating parent folders.
void WriteFile(const fs::path& file, const std::string& contents = TinyPng());
// Writes one tiny image per name into `dir`.
void WriteImages(const fs::path& dir, const std::vector<std::string>& names);

// University-1652 (data.md §4.1 plus street/google):
//   train/satellite/{0001,0002,0010}/<id>.jpg; train/drone/<id>/{image-01,image-02,image-10}.jpeg
//   (0002 also has B.PNG, a.webp, notes.txt, .DS_Store); train/google/{0001 empty, 0002 one, 0010 empty};
//   train/street/{0001,0002,0010}/s.jpg; train/.ipynb_checkpoints/ (hidden, ignored)
//   test/query_drone/{0005,0007}/image-0{1,2}.jpeg; test/gallery_satellite/{0005,0007,0009}/<id>.jpg;
//   test/query_satellite/{0005,0007}/<id>.jpg; test/gallery_drone/{0005,0007,0009}/image-0{1,2}.jpeg
void MakeFakeUniversity1652(const fs::path& root);

// SUES-200 split form for the given heights: Training/<h>/{drone,satellite}/{0001,0002},
// Testing/<h>/{query_drone,query_satellite}/{0003}, Testing/<h>/{gallery_drone,gallery_satellite}/{0001,0002,0003};
// drone folders hold 01.jpg 02.jpg, satellites <id>.jpg.
void MakeFakeSues200Split(const fs::path& root, const std::vector<int>& heights);
// SUES-200 raw form: drone_view_512/<h>/{0001,0002}/{1,2}.jpg, satellite-view/{0001,0002}/0.png.
void MakeFakeSues200Raw(const fs::path& root, const std::vector<int>& heights);

// data.md §4.3's worked example as GPS_info.json / labels.json text.
std::string WorkedExampleGpsInfo();
std::string WorkedExampleLabels();
// UL14: train/{california-town2_80_0001, town-europe_100_0007}/{UAV/0.JPG, Satellite/0.tif};
// test/town-europe_100_0017/{UAV/0.JPG, Satellite/{0,1,2,10}.jpg, labels.json, GPS_info.json}: 0.jpg
// is the worked example, 1/2/10.jpg copy its corners and label.
void MakeFakeUl14(const fs::path& root);

// DenseUAV: Dense_GPS_ALL.txt; train/{drone,satellite}/{000001,000002}; test/query_drone/{000003},
// test/gallery_satellite/{000003,000004}; drone H80/H90/H100.JPG, satellite H80/H90/H100(.|_old.)tif.
void MakeFakeDenseUav(const fs::path& root);

// `path` relative to `root`, with '/' separators.
std::string Rel(const fs::path& path, const fs::path& root);

// Runs `f`, expecting an exception of type E; returns its what() ("" and a test failure otherwise).
template <typename E, typename F>
std::string ErrorMessage(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "no exception thrown";
  return {};
}

}  // namespace crossview::datasets::testing
