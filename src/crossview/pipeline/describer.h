// The retrieval side of the pipeline: a trained retrieval model turned into a function from RGB
// images to descriptors, with the model's test-time preprocessing (PIL bicubic resize to the
// model's input size, ImageNet normalisation, flip TTA, L2 normalisation; models/descriptor.h).
// Gallery tiles go through the satellite branch, queries through the drone branch (the same
// module when the model shares weights).
//
// The model's identity is its model.json plus the SHA-256 of model.pt: an index records it and
// refuses a different model at query time.
#pragma once

#include <c10/core/Device.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "crossview/models/descriptor.h"
#include "crossview/models/model_store.h"

namespace crossview::pipeline {

struct ModelIdentity {
  std::string dir;              // absolute path of the model directory
  nlohmann::json model_json;    // model.json as stored
  std::string model_pt_sha256;  // of model.pt
};

// Reads model.json and hashes model.pt. Throws NotFoundError naming the missing file.
ModelIdentity ReadModelIdentity(const std::filesystem::path& model_dir);

struct DescriberOptions {
  int batch = 16;  // images per forward pass
  std::string device = "auto";
  models::DescriptorOptions descriptor;
  void Check() const;
};

class RetrievalDescriber {
 public:
  // Loads the model (models::LoadRetrievalModel) onto the device.
  static RetrievalDescriber Load(const std::filesystem::path& model_dir, const DescriberOptions& options = {});

  // The test-time resize: RGB of any size → input_size × input_size, PIL bicubic.
  static cv::Mat Preprocess(const cv::Mat& rgb, int input_size);

  // Row-major (N, dim) descriptors of RGB images (CV_8UC3, any size), in batches of
  // options.batch. Throws InvalidArgumentError for an empty or non-RGB image.
  std::vector<float> Describe(const std::vector<cv::Mat>& rgb, models::View view);

  int input_size() const { return input_size_; }
  // Descriptor length; known after the first Describe() (0 before).
  int64_t dim() const { return dim_; }
  const ModelIdentity& identity() const { return identity_; }
  const c10::Device& device() const { return device_; }
  // {"resize": "pil-bicubic", "input_size", "normalization": "imagenet", "flip_tta",
  //  "msba_global_weight", "msba_global_only", "gallery_view", "query_view"}
  nlohmann::json Settings() const;

 private:
  RetrievalDescriber() = default;
  models::StoredRetrievalModel model_;
  ModelIdentity identity_;
  DescriberOptions options_;
  c10::Device device_{c10::kCPU};
  int input_size_ = 0;
  int64_t dim_ = 0;
};

}  // namespace crossview::pipeline
