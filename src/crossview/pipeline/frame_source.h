// The frames of a flight, in order: a directory of images (sorted by file name, so number them
// with zero padding: frame-0001.jpg …) or a video file read with OpenCV's VideoCapture (any
// container/codec this OpenCV build can decode; MJPEG AVI always works).
#pragma once

#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace crossview::pipeline {

struct Frame {
  int index = 0;     // 0-based position in the sequence (after `every`)
  std::string name;  // file name, or "frame-NNNNNN" (the video frame number) for a video
  cv::Mat rgb;       // CV_8UC3 RGB
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // The next frame, or false at the end.
  virtual bool Next(Frame* frame) = 0;
  // Total frames when known in advance (directories), else -1.
  virtual int64_t size_hint() const = 0;
};

// Image files in `dir` with extension .jpg, .jpeg, .png, .tif, .tiff or .bmp (any case), sorted
// by name. Throws NotFoundError for a missing directory and InvalidArgumentError if it holds no
// images.
std::vector<std::filesystem::path> ListFrameFiles(const std::filesystem::path& dir);

// A directory (ListFrameFiles) or a video file. `every` keeps every N-th frame (1 = all).
// Throws NotFoundError / IoError (a video OpenCV cannot open, naming the file).
std::unique_ptr<FrameSource> OpenFrameSource(const std::filesystem::path& dir_or_video, int every = 1);

}  // namespace crossview::pipeline
