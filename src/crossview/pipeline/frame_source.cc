#include "crossview/pipeline/frame_source.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "crossview/data/image_io.h"
#include "crossview/util/errors.h"

namespace crossview::pipeline {
namespace {

namespace fs = std::filesystem;

bool IsImageFile(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".tif" || ext == ".tiff" || ext == ".bmp";
}

class DirectoryFrames : public FrameSource {
 public:
  DirectoryFrames(std::vector<fs::path> files, int every) : files_(std::move(files)), every_(every) {}
  bool Next(Frame* frame) override {
    if (next_ >= files_.size()) return false;
    frame->index = index_++;
    frame->name = files_[next_].filename().string();
    frame->rgb = data::LoadImageRgb(files_[next_]);
    next_ += static_cast<size_t>(every_);
    return true;
  }
  int64_t size_hint() const override { return static_cast<int64_t>((files_.size() + static_cast<size_t>(every_) - 1) / static_cast<size_t>(every_)); }

 private:
  std::vector<fs::path> files_;
  int every_;
  size_t next_ = 0;
  int index_ = 0;
};

class VideoFrames : public FrameSource {
 public:
  VideoFrames(const fs::path& path, int every) : path_(path), every_(every) {
    if (!capture_.open(path.string()) || !capture_.isOpened()) {
      throw CV_ERROR(IoError, "OpenCV cannot open the video").With("path", path.string())
          .Hint("use a format this OpenCV build decodes (MJPEG AVI always works), or extract the frames into a directory");
    }
  }
  bool Next(Frame* frame) override {
    cv::Mat bgr;
    while (true) {
      if (!capture_.read(bgr) || bgr.empty()) return false;
      const int64_t number = position_++;
      if (number % every_ != 0) continue;
      char name[32];
      std::snprintf(name, sizeof(name), "frame-%06lld", static_cast<long long>(number));
      frame->index = index_++;
      frame->name = name;
      if (bgr.channels() == 1) {
        cv::cvtColor(bgr, frame->rgb, cv::COLOR_GRAY2RGB);
      } else {
        cv::cvtColor(bgr, frame->rgb, cv::COLOR_BGR2RGB);
      }
      return true;
    }
  }
  int64_t size_hint() const override { return -1; }

 private:
  fs::path path_;
  int every_;
  cv::VideoCapture capture_;
  int64_t position_ = 0;
  int index_ = 0;
};

}  // namespace

std::vector<fs::path> ListFrameFiles(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw CV_ERROR(NotFoundError, "frame directory not found").With("path", dir.string());
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && IsImageFile(e.path())) files.push_back(e.path());
  }
  if (files.empty()) {
    throw CV_ERROR(InvalidArgumentError, "no images in the frame directory").With("path", dir.string()).Hint("expected .jpg, .jpeg, .png, .tif, .tiff or .bmp files");
  }
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  return files;
}

std::unique_ptr<FrameSource> OpenFrameSource(const fs::path& source, int every) {
  if (every < 1) throw CV_ERROR(InvalidArgumentError, "every must be at least 1").With("every", every);
  if (!fs::exists(source)) throw CV_ERROR(NotFoundError, "sequence not found").With("path", source.string()).Hint("pass a directory of frames or a video file");
  if (fs::is_directory(source)) return std::make_unique<DirectoryFrames>(ListFrameFiles(source), every);
  return std::make_unique<VideoFrames>(source, every);
}

}  // namespace crossview::pipeline
