// Retrieval image pipelines (spec retrieval.md §2.7, §6.2, §7): the training augmentations of the
// University-1652 family on 8-bit RGB images, and the test-time query perturbations of the
// robustness studies (shift with BlackPad / FlipPad, rotation).
#pragma once

#include <opencv2/core.hpp>

#include "crossview/util/random.h"

namespace crossview::transforms {

struct RetrievalAugmentOptions {
  int size = 256;              // h = w after the resize and crop
  int pad = 10;                // edge-replicate padding before the random crop (0 = none)
  double flip_probability = 0.5;
  bool satellite_affine = true;  // RandomAffine(90) on satellites: rotation U[−90°, 90°], nearest, fill 0
  double color_jitter = 0.0;   // brightness = contrast = saturation amplitude (0.1 in FSRA/MCCG); 0 = off
  double erasing_probability = 0.0;  // drone only; area 0.02–0.4, ratio 0.3–1/0.3, ImageNet-mean fill
  void Check() const;
};

enum class ImageView { kSatellite, kDrone };

// One training sample's augmentation: [ColorJitter] → PIL bicubic resize → pad → [satellite
// affine] → random crop → flip → [drone erasing]. Returns an 8-bit RGB size × size image.
cv::Mat AugmentForTraining(const cv::Mat& rgb, ImageView view, const RetrievalAugmentOptions& options, Rng& rng);

// torchvision ColorJitter (brightness, contrast, saturation with factors U[1−a, 1+a], in a random order).
cv::Mat ColorJitter(const cv::Mat& rgb, double brightness, double contrast, double saturation, Rng& rng);

// §7.1: prepend p columns on the left and keep the leftmost w columns. BlackPad fills them with 0,
// FlipPad with the mirror of the image's leftmost p columns.
enum class ShiftPad { kBlack, kFlip };
cv::Mat ShiftQuery(const cv::Mat& rgb, int p, ShiftPad pad);

// §7.2: rotate by `degrees` counter-clockwise about the centre, same size, nearest, black fill.
cv::Mat RotateQuery(const cv::Mat& rgb, double degrees);

}  // namespace crossview::transforms
