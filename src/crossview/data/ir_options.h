// Options of `crossview synth ir` (spec data.md §3.4 to §3.9, §4.1, §4.2, §5.2): what an
// image-retrieval dataset is made of. Defaults live here and nowhere else; the three presets
// (tiny, ci, full) are named functions of this struct, and the manifest records every field.
//
// Run-time settings that do not change a single output byte (output folder, cache folder, thread
// count, --overwrite) are kept apart in SynthRunOptions and never written into the dataset.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "crossview/data/occlusion.h"
#include "crossview/data/photometric.h"
#include "crossview/geo/coords.h"

namespace crossview::data {

enum class IrLayout {
  kUniversity1652,  // train/{drone,satellite}, test/{query,gallery}_{drone,satellite} (§4.1)
  kSues200,         // Training/<h>/..., Testing/<h>/... per height (§4.2)
  kMultitemporal,   // the University-1652 layout with temporal = multi (ZHcity750-like, §3.8)
};
enum class TemporalMode {
  kSame,   // drone views and satellite tiles from the family's base texture
  kCross,  // drone views from the base, satellite tiles from another member (seeded per target)
  kMulti,  // training satellite folders hold every member (<id>.jpg, <id>_t<k>.jpg); the test
           // gallery uses a held-out member
};

const char* IrLayoutName(IrLayout layout);
const char* TemporalModeName(TemporalMode mode);
// Throw InvalidArgumentError listing the valid names.
IrLayout ParseIrLayout(const std::string& name);
TemporalMode ParseTemporalMode(const std::string& name);

// The University-1652-like spiral (§3.4): `total_views` positions k = 0 … total−1 on three turns,
// height and tilt linear in k, bearing β₀ + step·k, looking at the target. A preset writes
// `num_views` of them, k = round(i·(total−1)/(num−1)), named image-NN with NN = k + 1.
struct SpiralPattern {
  int total_views = 54;
  int num_views = 54;
  double height_first_m = 256.0;
  double height_last_m = 121.5;
  double tilt_first_deg = 30.0;
  double tilt_last_deg = 45.0;
  double bearing_step_deg = 20.0;
  double hfov_deg = 50.0;

  void Check() const;
};

// SUES-200-like fixed heights (§3.4): `views_per_height` bearings β₀ + 360°·j/v per height,
// constant tilt, looking at the target; files <nn>.jpg, nn = 01 … v.
struct SuesPattern {
  std::vector<int> heights_m{150, 200, 250, 300};
  int views_per_height = 50;
  double tilt_deg = 30.0;
  double hfov_deg = 40.0;

  void Check() const;
};

// Picking targets without ambiguity (§3.7).
struct TargetSelectionOptions {
  double min_spacing_m = 100.0;  // Poisson-disk d_min between candidate centres
  int poisson_attempts = 30;     // Bridson's k
  // A candidate is featureless when the standard deviation (grey levels) of its thumbnail's
  // high-passed luminance is below this. Calibrated on the FlightGear textures (docs/data.md):
  // california-airport's dry grass measures 4.5 (250 m tiles, the largest that fit), uniform
  // california-drycrop fields 1.9 to 3.5 (its lowest tenth), farmland otherwise 5 to 27 and
  // urban tiles 16 to 50.
  double featureless_highpass_std = 5.0;
  int thumbnail_size_px = 64;
  double thumbnail_blur_sigma_px = 3.0;
  int thumbnail_max_shift_px = 8;
  double duplicate_ncc = 0.7;  // reject a candidate whose best NCC with an accepted one is ≥ this
  int max_redraws = 20;        // redraws of β₀ before a target whose views leave the map is dropped

  void Check() const;
};

// User orthophotos instead of the FlightGear textures (--source).
struct OrthophotoSourceOptions {
  // Files (GeoTIFF with a georeference, or PNG/JPEG/TIFF with gsd_m), in the order given; a
  // directory given on the command line is expanded to its image files sorted by name. Only the
  // file names are written to the manifest.
  std::vector<std::filesystem::path> files;
  // Metres per pixel for rasters without a georeference; 0 = none given.
  double gsd_m = 0.0;
  // Centre of the first plain image; unset: the documented default anchors (docs/data.md):
  // file i at (40.6 + 0.1·⌊i/5⌋, −30.0 + 0.1·(i mod 5)), the grid of data.md §2.1 continued.
  std::optional<geo::LatLonDeg> anchor;
  // Refuse larger rasters (the renderer keeps ~16 bytes per pixel in memory).
  double max_megapixels = 64.0;

  bool enabled() const { return !files.empty(); }
};

struct IrSynthOptions {
  std::string preset = "custom";
  uint64_t seed = 0;
  IrLayout layout = IrLayout::kUniversity1652;
  TemporalMode temporal = TemporalMode::kSame;

  // Families (textures.tsv) per split. Empty train/test lists mean every family of that split
  // (train minus validation). Lists must respect the table's split (§5.1): test places are never
  // seen in training.
  std::vector<std::string> train_families;
  std::vector<std::string> validation_families;
  std::vector<std::string> test_families;
  int train_targets_per_family = 4;  // caps (§3.7 rule 4)
  int test_targets_per_family = 4;   // also used for validation families
  // Distractor satellite tiles: max(distractors, ⌈distractor_min_fraction · test targets⌉).
  int distractors = 4;
  double distractor_min_fraction = 0.0;
  // Poisson spacing of distractor candidates; 0 = selection.min_spacing_m. Distractor centres
  // always keep one satellite tile side from every target on the same ground (§3.7 rule 5).
  double distractor_min_spacing_m = 0.0;

  int drone_size_px = 96;
  int satellite_size_px = 96;
  double satellite_side_m = 300.0;
  // §3.5 resolution gap: area-downsample satellite tiles to this GSD and back; 0 = off.
  double satellite_effective_gsd_m = 0.0;

  SpiralPattern spiral;  // University-1652 and multitemporal layouts
  SuesPattern sues;      // SUES-200 layout
  TargetSelectionOptions selection;
  PhotometricOptions drone_photometric = PhotometricOptions::Drone();
  PhotometricOptions satellite_photometric = PhotometricOptions::Satellite();

  // Extra robustness test sets (University-1652 and multitemporal layouts only), never mixed into
  // the clean one: test_cross/ (temporal = same only: gallery tiles from another family member,
  // targets of families that have one) and test_occlusion/ (random erasing on drone views, clouds
  // on satellite tiles, §3.10).
  bool cross_test_set = false;
  bool occlusion_test_set = false;
  OcclusionOptions occlusion;

  int contact_sheet_targets = 6;
  int contact_sheet_views = 3;

  OrthophotoSourceOptions source;

  // Throws InvalidArgumentError naming the bad field.
  void Check() const;
};

// The presets of §5.2 (tiny: unit tests; ci; full). Throws InvalidArgumentError listing the valid
// names for anything else.
IrSynthOptions IrPreset(const std::string& name);
const std::vector<std::string>& IrPresetNames();

// Settings of one run that do not change the dataset's bytes (never written into it except the
// .log file).
struct SynthRunOptions {
  std::filesystem::path out_dir;
  // The aerial imagery cache; empty = AerialCacheDir().
  std::filesystem::path cache_dir;
  int jobs = 0;  // worker threads; 0 = hardware concurrency
  bool overwrite = false;
  bool progress = true;  // the progress bar (drawn only on a terminal)
};

}  // namespace crossview::data
