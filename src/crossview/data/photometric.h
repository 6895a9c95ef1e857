// Photometric and sensor effects for rendered views (spec data.md §3.9).
//
// The chain, in this order, on float sRGB values in grey levels (0..255), clamped and rounded only
// at the end:
//   1. exposure       v ← v·2^EV
//   2. contrast       v ← m + c·(v − m), m the mean over all pixels and channels
//   3. gamma          v ← 255·(max(v, 0)/255)^γ
//   4. white balance  R ← R·(1 + δ), G ← G·(1 + τ), B ← B·(1 − δ)
//   5. saturation     v ← Y + s·(v − Y), Y = 0.299 R + 0.587 G + 0.114 B
//   6. haze           v ← v·t + haze_rgb·(1 − t), t = exp(−β·d), d the per-pixel ground distance
//                     (oblique views only)
//   7. blur           Gaussian σ, then linear motion blur of length L at angle φ
//   8. vignetting     v ← v·(1 − (1 − g)·(r/r_corner)²), r from the image centre: 1 at the centre,
//                     the corner gain g at the corners
//   9. noise          v ← v + N(0, σ_read² + k·max(v, 0)) per pixel and channel
// The JPEG quality is drawn here but the encode is the caller's (SaveImage with that quality):
// never encode twice.
//
// Parameters are drawn per image from that image's seeded stream; applying them is a pure
// function of the image, the parameters and the optional distance map.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "crossview/data/uniform_range.h"
#include "crossview/util/random.h"

namespace crossview::data {

struct PhotometricOptions {
  // Disables the whole chain: DrawPhotometricParams returns the identity without drawing.
  bool off = false;
  UniformRange exposure_ev{-0.5, 0.5};
  UniformRange contrast{0.8, 1.2};
  UniformRange gamma{0.8, 1.25};
  UniformRange wb_delta{-0.08, 0.08};  // R gain 1 + δ, B gain 1 − δ
  UniformRange wb_tau{-0.03, 0.03};    // G gain 1 + τ
  UniformRange saturation{0.8, 1.2};
  UniformRange haze_beta_per_m{0.0, 4e-4};
  std::array<double, 3> haze_rgb{185.0, 195.0, 210.0};  // grey-blue, in the image's R, G, B
  UniformRange blur_sigma_px{0.0, 1.0};
  UniformRange motion_length_px{0.0, 3.0};  // direction uniform in [0, 180) deg
  UniformRange vignette_corner_gain{0.8, 1.0};
  UniformRange noise_read_sigma{0.0, 3.0};  // grey levels
  // Shot noise: variance k·v grey levels² at signal v. At k = 0.02 a mid grey gets σ ≈ 1.6.
  UniformRange noise_shot_gain{0.0, 0.02};
  int jpeg_quality_min = 60;
  int jpeg_quality_max = 95;

  // Throws InvalidArgumentError naming the field for an inverted or out-of-domain range.
  void Check() const;

  // The drone-view defaults (the member initialisers above).
  static PhotometricOptions Drone();
  // The milder satellite profile: white balance and contrast at half range, no haze, no
  // vignetting, no motion blur, JPEG quality 90; the other steps as for drones.
  static PhotometricOptions Satellite();
  // Everything off.
  static PhotometricOptions Off();
};

// The values drawn for one image (record them in the manifest). Default-constructed = identity.
struct PhotometricParams {
  double exposure_ev = 0.0;
  double contrast = 1.0;
  double gamma = 1.0;
  double wb_delta = 0.0;
  double wb_tau = 0.0;
  double saturation = 1.0;
  double haze_beta_per_m = 0.0;
  std::array<double, 3> haze_rgb{185.0, 195.0, 210.0};
  double blur_sigma_px = 0.0;
  double motion_length_px = 0.0;
  double motion_angle_deg = 0.0;  // image frame: 0 = along +x (right), 90 = along +y (down)
  double vignette_corner_gain = 1.0;
  double noise_read_sigma = 0.0;
  double noise_shot_gain = 0.0;
  uint64_t noise_seed = 0;  // seeds the per-pixel noise stream
  int jpeg_quality = 95;

  // True when applying these values leaves every pixel unchanged (up to float rounding).
  bool IsIdentity() const;
};

// Name/value pairs of every drawn value, in chain order, for the manifest: ev, contrast, gamma,
// wb_delta, wb_tau, saturation, haze_beta, haze_r, haze_g, haze_b, blur_sigma_px, motion_px,
// motion_angle_deg, vignette, noise_read, noise_shot, jpeg_quality. The noise seed is not listed
// (it is not exactly representable as a double); the generator records the stream it came from.
std::vector<std::pair<std::string, double>> PhotometricParamList(const PhotometricParams& params);

// Draws one image's values from `rng` in a fixed order (the order of the fields above, then the
// noise seed, then the JPEG quality); every range consumes one draw even when fixed, so switching
// a step off does not shift the others. `oblique_view` false (nadir views, tiles) sets the haze
// coefficient to 0 after drawing it. With options.off, returns the identity without drawing.
PhotometricParams DrawPhotometricParams(const PhotometricOptions& options, Rng& rng,
                                        bool oblique_view);

// Applies the chain to an 8-bit RGB image (CV_8UC3). `ground_distance_m` (CV_32FC1, same size,
// e.g. GroundDistanceMapM) is required when haze_beta_per_m > 0 and ignored otherwise; +inf there
// gives the pure haze colour. Returns a new CV_8UC3 image. Throws InvalidArgumentError for a wrong
// type or size, or haze without distances.
cv::Mat ApplyPhotometric(const cv::Mat& image_rgb8, const PhotometricParams& params,
                         const cv::Mat& ground_distance_m = cv::Mat());

// The satellite resolution gap (§3.5, `satellite.effective_gsd_m`): area-downsamples a tile
// rendered at `tile_gsd_m` to `effective_gsd_m` (size rounded, at least 1 px) and resamples it back
// bilinearly to its original size. Returns a copy when effective_gsd_m ≤ tile_gsd_m. Throws
// InvalidArgumentError for non-positive GSDs or a non-RGB image.
cv::Mat ApplyResolutionGap(const cv::Mat& tile_rgb8, double tile_gsd_m, double effective_gsd_m);

// The normalised linear motion-blur kernel (CV_32FC1, odd square size) for length L and angle φ;
// a 1×1 identity for L below 1e-3. Exposed for tests.
cv::Mat MotionBlurKernel(double length_px, double angle_deg);

}  // namespace crossview::data
