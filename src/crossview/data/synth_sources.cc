#include "crossview/data/synth_sources.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "crossview/data/image_io.h"
#include "crossview/geo/raster.h"
#include "crossview/util/errors.h"
#include "crossview/util/sha256.h"

namespace crossview::data {
namespace {

namespace fs = std::filesystem;

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsImageFile(const fs::path& p) {
  static const std::set<std::string> kExt = {".tif", ".tiff", ".png", ".jpg", ".jpeg"};
  return kExt.count(Lower(p.extension().string())) > 0;
}

// Families of one split: the explicit list, or every family of `table_split` in table order
// (minus `exclude`). Every listed family must exist and carry `table_split`.
std::vector<std::string> FamiliesOfSplit(const geo::TextureTable& table, const std::vector<std::string>& listed,
                                         const std::string& table_split, const std::string& role,
                                         const std::vector<std::string>& exclude) {
  std::vector<std::string> out;
  if (listed.empty()) {
    for (const std::string& f : table.families) {
      bool has_split = false;
      for (const auto& t : table.textures) has_split |= (t.family == f && t.split == table_split);
      if (has_split && !Contains(exclude, f)) out.push_back(f);
    }
    return out;
  }
  for (const std::string& f : listed) {
    table.FamilyIndex(f);  // NotFoundError listing the known families
    for (const auto& t : table.textures) {
      if (t.family == f && t.split != table_split && t.split != "none") {
        throw CV_ERROR(InvalidArgumentError, "family '" + f + "' cannot be a " + role + " family")
            .With("texture", t.name)
            .With("table_split", t.split)
            .Hint("splits are by family (data.md §5.1): " + role + " families come from the '" + table_split +
                  "' rows of textures.tsv, so test places are never seen in training");
      }
    }
    out.push_back(f);
  }
  return out;
}

MapFrame FrameOf(int width_px, int height_px, double gsd_m) {
  MapFrame f;
  f.width_px = width_px;
  f.height_px = height_px;
  f.gsd_m = gsd_m;
  f.Check();
  return f;
}

void SetTextureGeoref(MapSource* s, const geo::LatLonDeg& anchor) {
  const geo::TextureGeoref g(anchor, s->frame.width_px, s->frame.height_px, s->frame.gsd_m);
  s->anchor = anchor;
  s->crs = "EPSG:4326";
  s->geotransform = g.geotransform().gdal();
}

// The two halves of a user orthophoto, along its longer axis: (train, test) rectangles and names.
void AddHalves(SynthCatalog* catalog, int source_index, int file_index) {
  const MapSource& s = catalog->sources[static_cast<size_t>(source_index)];
  const double w = s.frame.width_px, h = s.frame.height_px;
  const bool by_columns = w >= h;
  SynthFamily train, test;
  train.name = s.name + (by_columns ? ":west" : ":north");
  test.name = s.name + (by_columns ? ":east" : ":south");
  train.split = "train";
  test.split = "test";
  train.order = 2 * file_index;
  test.order = 2 * file_index + 1;
  train.members = test.members = {source_index};
  train.half_xy_px = by_columns ? cv::Rect2d(0, 0, w / 2, h) : cv::Rect2d(0, 0, w, h / 2);
  test.half_xy_px = by_columns ? cv::Rect2d(w / 2, 0, w / 2, h) : cv::Rect2d(0, h / 2, w, h / 2);
  catalog->families.push_back(train);
  catalog->families.push_back(test);
}

}  // namespace

const std::vector<std::string>& PeriodicTextureNames() {
  static const std::vector<std::string> kNames = {"cemetery", "industry-midle-east", "town-middle-east", "Town1",
                                                  "irrcrop-europe"};
  return kNames;
}

const std::vector<std::string>& RolledRecolourNames() {
  static const std::vector<std::string> kNames = {"town-europe-south", "town-europe-autumn", "town-caribbean",
                                                  "town-madagascar"};
  return kNames;
}

cv::Mat RollImage(const cv::Mat& image, int rows, int cols) {
  const int h = image.rows, w = image.cols;
  cv::Mat out(image.size(), image.type());
  if (image.empty()) return out;
  const int dr = ((rows % h) + h) % h, dc = ((cols % w) + w) % w;
  for (int r = 0; r < h; ++r) {
    const int src_r = ((r - dr) % h + h) % h;
    const uint8_t* src = image.ptr<uint8_t>(src_r);
    uint8_t* dst = out.ptr<uint8_t>(r);
    const size_t px = image.elemSize();
    // out[c] = in[(c − dc) mod W]: two contiguous runs.
    std::copy(src + (w - dc) * px, src + w * px, dst);
    std::copy(src, src + (w - dc) * px, dst + dc * px);
  }
  return out;
}

namespace {

MapSource SourceFromRecord(const geo::TextureRecord& t, const fs::path& cache_dir) {
  MapSource s;
  s.kind = MapSourceKind::kTexture;
  s.name = t.name;
  s.file = "flightgear/" + t.name + ".png";
  s.path = cache_dir / s.file;
  s.family = t.family;
  s.table_split = t.split;
  s.pinned_sha256 = t.sha256;
  s.frame = FrameOf(t.width_px, t.height_px, t.gsd_m);
  s.periodic_half = Contains(PeriodicTextureNames(), t.name) || t.notes.find("periodic") != std::string::npos;
  if (Contains(RolledRecolourNames(), t.name)) s.alignment_roll_rc = {kRecolourUnrollRows, kRecolourUnrollCols};
  SetTextureGeoref(&s, geo::FamilyAnchor(t.family_index));
  s.georef_note = "synthetic family anchor (data.md 2.1)";
  return s;
}

}  // namespace

MapSource TextureMapSource(const geo::TextureTable& table, const fs::path& cache_dir, const std::string& texture_name) {
  return SourceFromRecord(table.Find(texture_name), cache_dir);
}

SynthCatalog TextureCatalog(const geo::TextureTable& table, const fs::path& cache_dir, const IrSynthOptions& options) {
  CatalogFamilies families;
  families.train = options.train_families;
  families.validation = options.validation_families;
  families.test = options.test_families;
  families.distractors = options.distractors > 0 || options.distractor_min_fraction > 0.0;
  return TextureCatalog(table, cache_dir, families);
}

SynthCatalog TextureCatalog(const geo::TextureTable& table, const fs::path& cache_dir, const CatalogFamilies& families) {
  SynthCatalog catalog;
  // Validation families are only ever explicit (the presets name them, §5.1).
  const std::vector<std::string> validation =
      families.validation.empty() ? std::vector<std::string>{}
                                  : FamiliesOfSplit(table, families.validation, "train", "validation", {});
  const std::vector<std::string> train = FamiliesOfSplit(table, families.train, "train", "train", validation);
  const std::vector<std::string> test = FamiliesOfSplit(table, families.test, "test", "test", {});
  const std::vector<std::string> distractor =
      families.distractors ? FamiliesOfSplit(table, {}, "distractor", "distractor", {}) : std::vector<std::string>{};

  for (const geo::TextureRecord& t : table.textures) catalog.sources.push_back(SourceFromRecord(t, cache_dir));
  catalog.unused_reason.assign(catalog.sources.size(), "");
  auto add_family = [&](const std::string& name, const std::string& split) {
    SynthFamily f;
    f.name = name;
    f.split = split;
    f.order = table.FamilyIndex(name);
    for (size_t i = 0; i < table.textures.size(); ++i) {
      if (table.textures[i].family == name && table.textures[i].split != "none") f.members.push_back(static_cast<int>(i));
    }
    if (f.members.empty()) {
      throw CV_ERROR(InvalidArgumentError, "family has no usable texture").With("family", name);
    }
    catalog.families.push_back(f);
  };
  for (const auto& f : train) add_family(f, "train");
  for (const auto& f : validation) add_family(f, "validation");
  for (const auto& f : test) add_family(f, "test");
  for (const auto& f : distractor) add_family(f, "distractor");
  std::sort(catalog.families.begin(), catalog.families.end(),
            [](const SynthFamily& a, const SynthFamily& b) { return a.order < b.order; });

  std::vector<bool> used(catalog.sources.size(), false);
  for (const SynthFamily& f : catalog.families) {
    for (int m : f.members) used[static_cast<size_t>(m)] = true;
  }
  for (size_t i = 0; i < catalog.sources.size(); ++i) {
    if (used[i]) continue;
    catalog.unused_reason[i] = catalog.sources[i].table_split == "none"
                                   ? "split 'none' in textures.tsv (excluded by default, data.md 5.1)"
                                   : "family not used by this preset";
  }
  return catalog;
}

std::vector<fs::path> ExpandSourcePaths(const std::vector<fs::path>& paths) {
  std::vector<fs::path> out;
  for (const fs::path& p : paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      throw CV_ERROR(NotFoundError, "source orthophoto not found").With("path", p.string());
    }
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(p)) {
      if (entry.is_regular_file() && IsImageFile(entry.path())) files.push_back(entry.path());
    }
    if (files.empty()) {
      throw CV_ERROR(NotFoundError, "source directory holds no image file")
          .With("path", p.string())
          .Hint("expected .tif/.tiff (GeoTIFF) or .png/.jpg/.jpeg with --gsd-m");
    }
    std::sort(files.begin(), files.end());
    out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

SynthCatalog OrthophotoCatalog(const OrthophotoSourceOptions& options) {
  SynthCatalog catalog;
  catalog.user_sources = true;
  const std::vector<fs::path> files = ExpandSourcePaths(options.files);
  std::set<std::string> stems;
  int plain_count = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const fs::path& path = files[i];
    MapSource s;
    s.path = path;
    s.file = path.filename().string();
    s.name = path.stem().string();
    s.table_split = "halves";
    if (!stems.insert(s.name).second) {
      throw CV_ERROR(InvalidArgumentError, "two source files share a name").With("name", s.name).Hint("rename one of them");
    }
    geo::GeoRasterOptions open_options;
    open_options.allow_missing_georeference = true;
    auto raster = std::make_shared<geo::GeoRaster>(geo::GeoRaster::Open(path, open_options));
    const double megapixels = 1e-6 * raster->width_px() * raster->height_px();
    if (megapixels > options.max_megapixels) {
      throw CV_ERROR(InvalidArgumentError, "source orthophoto is too large to render from in memory")
          .With("path", path.string())
          .With("megapixels", megapixels)
          .With("max_megapixels", options.max_megapixels)
          .Hint("crop it first, e.g. gdal_translate -srcwin, or split it into several files");
    }
    if (raster->has_georeference()) {
      if (options.gsd_m > 0.0 || options.anchor) {
        throw CV_ERROR(InvalidArgumentError, "source has its own georeference; --gsd-m and --anchor are for plain images")
            .With("path", path.string());
      }
      s.georef_note = "the file's georeference";
      if (!raster->geotransform().is_north_up()) {
        *raster = raster->WarpedNorthUp();
        s.georef_note = "the file's rotated georeference, warped north-up (bilinear)";
      }
      const double pw = raster->pixel_width_m(), ph = raster->pixel_height_m();
      if (std::abs(pw - ph) > 0.01 * std::max(pw, ph)) {
        throw CV_ERROR(InvalidArgumentError, "source pixels are not square")
            .With("path", path.string())
            .With("pixel_width_m", pw)
            .With("pixel_height_m", ph)
            .Hint("resample it to square pixels first, e.g. gdalwarp -tr G G");
      }
      s.kind = MapSourceKind::kGeoRaster;
      s.frame = FrameOf(raster->width_px(), raster->height_px(), raster->gsd_m());
      s.anchor = raster->lat_lon_from_pixel({0.5 * s.frame.width_px, 0.5 * s.frame.height_px});
      s.crs = raster->crs().name();
      s.geotransform = raster->geotransform().gdal();
      s.raster = raster;
    } else {
      if (!(options.gsd_m > 0.0)) {
        throw CV_ERROR(InvalidArgumentError, "source has no georeference: give its ground sample distance")
            .With("path", path.string())
            .Hint("pass --gsd-m METRES_PER_PIXEL (and optionally --anchor LAT,LON), or use a GeoTIFF");
      }
      if (options.anchor && plain_count > 0) {
        throw CV_ERROR(InvalidArgumentError, "--anchor applies to a single plain image").Hint("drop --anchor to use the default anchors");
      }
      const int k = plain_count++;
      s.kind = MapSourceKind::kPlainImage;
      s.frame = FrameOf(raster->width_px(), raster->height_px(), options.gsd_m);
      SetTextureGeoref(&s, options.anchor ? *options.anchor
                                          : geo::LatLonDeg{40.6 + 0.1 * (k / 5), -30.0 + 0.1 * (k % 5)});
      s.georef_note = options.anchor ? "--anchor, plate carree as data.md 2.1"
                                     : "default anchor (40.6 + 0.1*floor(k/5), -30.0 + 0.1*(k mod 5)), plate carree as data.md 2.1";
    }
    catalog.sources.push_back(s);
    AddHalves(&catalog, static_cast<int>(catalog.sources.size()) - 1, static_cast<int>(i));
  }
  catalog.unused_reason.assign(catalog.sources.size(), "");
  return catalog;
}

LoadedMap LoadMapSource(const MapSource& source) {
  LoadedMap m;
  m.sha256 = Sha256File(source.path);
  if (!source.pinned_sha256.empty() && m.sha256 != source.pinned_sha256) {
    throw CV_ERROR(IoError, "texture does not match its pinned SHA-256")
        .With("path", source.path.string())
        .With("expected", source.pinned_sha256)
        .With("actual", m.sha256)
        .Hint("run 'crossview data verify', then 'crossview data fetch' to repair the cache");
  }
  if (source.kind == MapSourceKind::kGeoRaster) {
    const geo::RgbImage rgb = source.raster->ReadRgb(source.raster->full_window());
    m.rgb = cv::Mat(rgb.height_px, rgb.width_px, CV_8UC3, const_cast<uint8_t*>(rgb.pixels.data())).clone();
    const geo::ValidMask valid = source.raster->ReadValidMask(source.raster->full_window());
    if (valid.nodata_fraction() > 0.0) {
      cv::Mat v(valid.height_px, valid.width_px, CV_8UC1, const_cast<uint8_t*>(valid.valid.data()));
      m.nodata = (v == 0);
    }
  } else {
    m.rgb = LoadImageRgb(source.path);
  }
  if (m.rgb.cols != source.frame.width_px || m.rgb.rows != source.frame.height_px) {
    throw CV_ERROR(IoError, "map has an unexpected size")
        .With("path", source.path.string())
        .With("expected", std::to_string(source.frame.width_px) + "x" + std::to_string(source.frame.height_px))
        .With("actual", std::to_string(m.rgb.cols) + "x" + std::to_string(m.rgb.rows));
  }
  if (source.alignment_roll_rc != cv::Vec2i(0, 0)) {
    m.rgb = RollImage(m.rgb, source.alignment_roll_rc[0], source.alignment_roll_rc[1]);
  }
  m.pyramid = std::make_shared<const TexturePyramid>(m.rgb);
  return m;
}

geo::LatLonDeg SourceLatLon(const MapSource& source, const cv::Vec2d& xy_px) {
  if (source.kind == MapSourceKind::kGeoRaster) {
    return source.raster->lat_lon_from_pixel({xy_px[0], xy_px[1]});
  }
  const geo::TextureGeoref g(source.anchor, source.frame.width_px, source.frame.height_px, source.frame.gsd_m);
  return g.lat_lon_from_pixel({xy_px[0], xy_px[1]});
}

}  // namespace crossview::data
