#include "crossview/models/image_tensor.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "crossview/util/errors.h"

namespace crossview::models {
namespace {

TEST(ImageTensorTest, ChannelsPlanarAndNormalised) {
  cv::Mat a(2, 3, CV_8UC3, cv::Scalar(255, 0, 51));  // R = 255, G = 0, B = 51
  at::Tensor t = ImagesToTensor({a, a}, Normalization::None());
  EXPECT_EQ(t.sizes(), (std::vector<int64_t>{2, 3, 2, 3}));
  EXPECT_FLOAT_EQ(t[1][0][1][2].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(t[0][2][0][0].item<float>(), 0.2f);
  at::Tensor n = ImagesToTensor({a}, Normalization::ImageNet());
  EXPECT_NEAR(n[0][1][0][0].item<float>(), (0.0f - 0.456f) / 0.224f, 1e-6);
  cv::Mat b(3, 3, CV_8UC3);
  EXPECT_THROW(ImagesToTensor({a, b}, Normalization::None()), InvalidArgumentError);
  cv::Mat m = TensorToFloatMap(torch::arange(6, torch::kFloat).view({1, 1, 2, 3}));
  EXPECT_FLOAT_EQ(m.at<float>(1, 2), 5.0f);
}

}  // namespace
}  // namespace crossview::models
