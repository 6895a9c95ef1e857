#include "crossview/geo/crs.h"

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogr_srs_api.h>

#include <cstdlib>
#include <cstring>

#include "crossview/geo/gdal_util.h"
#include "crossview/util/errors.h"

namespace crossview::geo {
namespace {

std::string ExportWkt2(const OGRSpatialReference& srs) {
  const char* const options[] = {"FORMAT=WKT2_2019", nullptr};
  char* text = nullptr;
  OGRErr err = srs.exportToWkt(&text, options);
  std::string wkt = (err == OGRERR_NONE && text != nullptr) ? std::string(text) : std::string();
  CPLFree(text);
  if (wkt.empty()) {
    // Some CRSs (e.g. from exotic PROJ strings) only export as WKT1.
    text = nullptr;
    if (srs.exportToWkt(&text) == OGRERR_NONE && text != nullptr) wkt = text;
    CPLFree(text);
  }
  if (wkt.empty()) throw CV_ERROR(InvalidArgumentError, "the CRS cannot be written as WKT");
  return wkt;
}

}  // namespace

void Crs::Releaser::operator()(OGRSpatialReference* srs) const {
  if (srs != nullptr) srs->Release();
}

Crs::Crs(SrsPtr srs) : srs_(std::move(srs)) {
  CV_CHECK(srs_ != nullptr);
  srs_->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  wkt_ = ExportWkt2(*srs_);
}

Crs::Crs(const Crs& other) : srs_(other.srs_->Clone()), wkt_(other.wkt_) {
  srs_->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
}

Crs& Crs::operator=(const Crs& other) {
  if (this != &other) {
    srs_.reset(other.srs_->Clone());
    srs_->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    wkt_ = other.wkt_;
  }
  return *this;
}

Crs::~Crs() = default;

Crs Crs::FromWkt(const std::string& wkt) {
  internal::GdalErrorScope errors;
  SrsPtr srs(new OGRSpatialReference());
  if (wkt.empty() || srs->importFromWkt(wkt.c_str()) != OGRERR_NONE) {
    throw CV_ERROR(InvalidArgumentError, "cannot parse the CRS definition as WKT")
        .With("wkt_start", wkt.substr(0, 80))
        .With("gdal", errors.messages());
  }
  return Crs(std::move(srs));
}

Crs Crs::FromEpsg(int code) {
  internal::GdalErrorScope errors;
  SrsPtr srs(new OGRSpatialReference());
  if (srs->importFromEPSG(code) != OGRERR_NONE) {
    throw CV_ERROR(InvalidArgumentError, "unknown EPSG code")
        .With("epsg", code)
        .With("gdal", errors.messages())
        .Hint("check the code against the EPSG registry (PROJ's proj.db)");
  }
  return Crs(std::move(srs));
}

Crs Crs::FromUserInput(const std::string& definition) {
  internal::GdalErrorScope errors;
  SrsPtr srs(new OGRSpatialReference());
  if (definition.empty() || srs->SetFromUserInput(definition.c_str()) != OGRERR_NONE) {
    throw CV_ERROR(InvalidArgumentError, "cannot parse the CRS definition")
        .With("definition", definition.substr(0, 120))
        .With("gdal", errors.messages())
        .Hint("use EPSG:<code>, WKT, PROJJSON or a PROJ string");
  }
  return Crs(std::move(srs));
}

Crs Crs::FromRasterFile(const std::filesystem::path& path) {
  internal::DatasetPtr dataset = internal::OpenRasterReadOnly(path);
  const OGRSpatialReference* srs = dataset->GetSpatialRef();
  if (srs == nullptr || srs->IsEmpty()) {
    throw CV_ERROR(InvalidArgumentError, "the raster has no coordinate reference system")
        .With("path", path.string())
        .Hint("use a georeferenced raster (GeoTIFF) or pass --assume-gsd-m with corner coordinates");
  }
  return FromOgr(*srs);
}

Crs Crs::FromOgr(const OGRSpatialReference& srs) { return Crs(SrsPtr(srs.Clone())); }

Crs Crs::Wgs84() { return FromEpsg(4326); }

std::string Crs::name() const {
  const char* name = srs_->GetName();
  return name != nullptr ? name : "";
}

bool Crs::is_geographic() const { return srs_->IsGeographic() != 0; }
bool Crs::is_projected() const { return srs_->IsProjected() != 0; }

double Crs::linear_unit_m() const {
  if (!is_projected() && !srs_->IsLocal()) {
    throw CV_ERROR(InvalidArgumentError, "a geographic CRS has no linear unit (its unit is an angle)")
        .With("crs", name());
  }
  return srs_->GetLinearUnits(nullptr);
}

std::string Crs::linear_unit_name() const {
  const char* unit = nullptr;
  if (is_geographic()) {
    srs_->GetAngularUnits(&unit);
  } else {
    srs_->GetLinearUnits(&unit);
  }
  return unit != nullptr ? unit : "";
}

std::optional<int> Crs::epsg_code() const {
  const char* authority = srs_->GetAuthorityName(nullptr);
  const char* code = srs_->GetAuthorityCode(nullptr);
  if (authority == nullptr || code == nullptr || std::strcmp(authority, "EPSG") != 0) return std::nullopt;
  return std::atoi(code);
}

std::optional<EpsgGuess> Crs::GuessEpsg() const {
  internal::GdalErrorScope errors;
  int count = 0;
  int* confidences = nullptr;
  OGRSpatialReferenceH* matches = srs_->FindMatches(nullptr, &count, &confidences);
  std::optional<EpsgGuess> best;
  for (int i = 0; i < count; ++i) {
    const char* authority = OSRGetAuthorityName(matches[i], nullptr);
    const char* code = OSRGetAuthorityCode(matches[i], nullptr);
    if (authority != nullptr && code != nullptr && std::strcmp(authority, "EPSG") == 0) {
      best = EpsgGuess{std::atoi(code), confidences[i]};
      break;  // FindMatches sorts by decreasing confidence
    }
  }
  OSRFreeSRSArray(matches);
  CPLFree(confidences);
  return best;
}

Crs Crs::GeographicBase() const {
  OGRSpatialReference* geographic = srs_->CloneGeogCS();
  if (geographic == nullptr) {
    throw CV_ERROR(InvalidArgumentError, "the CRS has no geographic base CRS").With("crs", name());
  }
  return Crs(SrsPtr(geographic));
}

bool Crs::IsSame(const Crs& other) const {
  const char* const options[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", nullptr};
  return srs_->IsSame(other.srs_.get(), options) != 0;
}

}  // namespace crossview::geo
