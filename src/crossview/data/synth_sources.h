// The maps a synthetic dataset is rendered from, and how they are grouped (spec data.md §1.2,
// §1.3, §2.1, §5.1):
//
// - FlightGear textures, read from the aerial cache's flightgear/textures.tsv (never from a second
//   hand-written copy). Recolours of town-europe are un-rolled by (−105, +41) (row, col) when
//   loaded; the half-resolution .green files cover the same ground as their partner (their own
//   size and GSD, the same centre), so every member of a family shares one ground frame.
//   Periodic textures (cemetery, industry-midle-east, town-middle-east, Town1, irrcrop-europe)
//   take target centres in their left half only. Nothing ever wraps around a texture edge.
// - The user's own orthophotos (--source): a GeoTIFF with a georeference, or a plain image with a
//   GSD and a documented default anchor. Each file is split along its longer axis into a train
//   half (west or north) and a test half (east or south), two families named "<stem>:west" /
//   "<stem>:east" (or ":north" / ":south"); the planner keeps every footprint inside its half, so
//   no train view shares ground with a test view.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "crossview/data/ir_options.h"
#include "crossview/data/map_frame.h"
#include "crossview/data/texture_pyramid.h"
#include "crossview/geo/coords.h"
#include "crossview/geo/texture_georef.h"

namespace crossview::geo {
class GeoRaster;
}

namespace crossview::data {

// The texture names with the quirks of §1.3.
const std::vector<std::string>& PeriodicTextureNames();
const std::vector<std::string>& RolledRecolourNames();
// The roll that aligns a rolled recolour with town-europe: (−105, +41) (row, col).
inline constexpr int kRecolourUnrollRows = -105;
inline constexpr int kRecolourUnrollCols = 41;

// NumPy's roll over (row, col): out[r][c] = in[(r − rows) mod H][(c − cols) mod W].
cv::Mat RollImage(const cv::Mat& image, int rows, int cols);

enum class MapSourceKind { kTexture, kGeoRaster, kPlainImage };

struct MapSource {
  MapSourceKind kind = MapSourceKind::kTexture;
  std::string name;             // texture name, or the file stem of a user orthophoto
  std::string file;             // as recorded: "flightgear/<name>.png", or the file name
  std::filesystem::path path;   // where it is read from (never written to a dataset)
  std::string family;           // textures.tsv family ("" for user orthophotos)
  std::string table_split;      // textures.tsv split; "halves" for user orthophotos
  std::string pinned_sha256;    // textures.tsv pin ("" for user orthophotos)
  MapFrame frame;               // its own pixels and GSD; ground (e, n) centred on the map
  bool periodic_half = false;   // target centres in columns [0, W/2) only
  cv::Vec2i alignment_roll_rc{0, 0};  // applied when loading (RollImage)
  geo::LatLonDeg anchor;        // the lat/lon of the map centre
  std::string crs;              // "EPSG:4326" for textures; the file's CRS name otherwise
  std::array<double, 6> geotransform{};  // GDAL coefficients of the pixels as loaded
  std::string georef_note;      // how the georeference was obtained (manifest)
  std::shared_ptr<geo::GeoRaster> raster;  // kGeoRaster only; not thread-safe
};

// A family as the generator uses it: the textures cut from one photograph (or one half of a user
// orthophoto), all sharing one ground frame.
struct SynthFamily {
  std::string name;
  std::string split;         // train, validation, test or distractor
  int order = 0;             // sort key: textures.tsv family index, or the file index
  std::vector<int> members;  // indices into SynthCatalog::sources; members[0] is the base
  // User orthophotos: the half (base pixels) that every footprint must stay inside.
  std::optional<cv::Rect2d> half_xy_px;
};

struct SynthCatalog {
  std::vector<MapSource> sources;      // every texture in the table (or every user file)
  std::vector<SynthFamily> families;   // the families this dataset uses
  // Per source: why it is not used ("" when it is), for the manifest.
  std::vector<std::string> unused_reason;
  bool user_sources = false;
};

// Which FlightGear families a catalogue holds, per split. An empty train or test list means every
// family of that split in the table (train minus validation); validation families are only ever
// explicit.
struct CatalogFamilies {
  std::vector<std::string> train;
  std::vector<std::string> validation;
  std::vector<std::string> test;
  bool distractors = false;  // add the table's distractor families
};

// The FlightGear catalogue (§5.1). Validates the family lists against the table: unknown names
// throw NotFoundError listing the known ones, a family used against its table split throws
// InvalidArgumentError.
SynthCatalog TextureCatalog(const geo::TextureTable& table, const std::filesystem::path& cache_dir,
                            const CatalogFamilies& families);
// The same with the families of a `synth ir` run (distractors when it asks for any).
SynthCatalog TextureCatalog(const geo::TextureTable& table, const std::filesystem::path& cache_dir,
                            const IrSynthOptions& options);

// One texture of the table as a map source (aligned, georeferenced at its family anchor), e.g. for
// the `synth map` mosaic. Throws NotFoundError listing the known names.
MapSource TextureMapSource(const geo::TextureTable& table, const std::filesystem::path& cache_dir,
                           const std::string& texture_name);

// The user-orthophoto catalogue. Each file is opened (GDAL) to read its georeference; plain
// images need options.gsd_m. Throws NotFoundError for a missing file, InvalidArgumentError for a
// raster without a georeference and no --gsd-m (or with both), non-square pixels or an oversized
// raster.
SynthCatalog OrthophotoCatalog(const OrthophotoSourceOptions& options);
// Expands directories into their image files (.tif .tiff .png .jpg .jpeg, sorted by name, not
// recursive). Throws NotFoundError for a missing path or a directory with no image file.
std::vector<std::filesystem::path> ExpandSourcePaths(const std::vector<std::filesystem::path>& paths);

// The pixels of one source, aligned and ready to render.
struct LoadedMap {
  cv::Mat rgb;     // CV_8UC3, R G B, aligned
  cv::Mat nodata;  // CV_8UC1, 255 where the source has no data; empty when it has none
  std::shared_ptr<const TexturePyramid> pyramid;
  std::string sha256;  // of the file as read
};

// Loads a source. Textures must match their pinned SHA-256 and table size (IoError otherwise,
// with a hint to run `crossview data fetch`).
LoadedMap LoadMapSource(const MapSource& source);

// Latitude/longitude of a point given in a source's pixels (corner-based col, row). Not
// thread-safe for GeoTIFF sources.
geo::LatLonDeg SourceLatLon(const MapSource& source, const cv::Vec2d& xy_px);

}  // namespace crossview::data
