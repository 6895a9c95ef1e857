#include "crossview/geo/geographic_transform.h"

#include <ogr_spatialref.h>
#include <proj.h>

#include <cmath>
#include <sstream>

#include "crossview/geo/gdal_util.h"
#include "crossview/util/errors.h"

namespace crossview::geo {
namespace {

// RAII holders for the few PROJ objects used to pick an operation.
struct ProjContext {
  PJ_CONTEXT* ctx;
  // Quiet: failures surface as exceptions carrying PROJ's message, not as stderr noise.
  ProjContext() : ctx(proj_context_create()) { proj_log_level(ctx, PJ_LOG_NONE); }
  ~ProjContext() { proj_context_destroy(ctx); }
};
struct ProjObject {
  PJ* pj = nullptr;
  ~ProjObject() { proj_destroy(pj); }
};
struct ProjList {
  PJ_OBJ_LIST* list = nullptr;
  ~ProjList() { proj_list_destroy(list); }
};
struct ProjFactoryContext {
  PJ_CONTEXT* ctx;
  PJ_OPERATION_FACTORY_CONTEXT* fc;
  explicit ProjFactoryContext(PJ_CONTEXT* c) : ctx(c), fc(proj_create_operation_factory_context(c, nullptr)) {}
  ~ProjFactoryContext() { proj_operation_factory_context_destroy(fc); }
};

std::string ProjError(PJ_CONTEXT* ctx) {
  const int code = proj_context_errno(ctx);
  const char* text = code != 0 ? proj_context_errno_string(ctx, code) : nullptr;
  return text != nullptr ? text : "(no PROJ message)";
}

std::string IdOf(PJ* object) {
  const char* authority = proj_get_id_auth_name(object, 0);
  const char* code = proj_get_id_code(object, 0);
  if (authority == nullptr || code == nullptr) return {};
  return std::string(authority) + ":" + code;
}

std::vector<std::string> TransformationIds(PJ_CONTEXT* ctx, PJ* op) {
  std::vector<std::string> ids;
  const int steps =
      proj_get_type(op) == PJ_TYPE_CONCATENATED_OPERATION ? proj_concatoperation_get_step_count(ctx, op) : 0;
  if (steps <= 0) {
    if (proj_get_type(op) == PJ_TYPE_TRANSFORMATION) {
      std::string id = IdOf(op);
      if (!id.empty()) ids.push_back(id);
    }
    return ids;
  }
  for (int i = 0; i < steps; ++i) {
    ProjObject step{proj_concatoperation_get_step(ctx, op, i)};
    if (step.pj != nullptr && proj_get_type(step.pj) == PJ_TYPE_TRANSFORMATION) {
      std::string id = IdOf(step.pj);
      if (!id.empty()) ids.push_back(id);
    }
  }
  return ids;
}

// Asks PROJ for the operations from `source` to `target` and returns the best usable one.
CoordinateOperationInfo SelectOperation(const Crs& source, const Crs& target, const std::optional<LatLonBox>& aoi) {
  ProjContext context;
  PJ_CONTEXT* ctx = context.ctx;
  ProjObject src{proj_create(ctx, source.wkt().c_str())};
  ProjObject dst{proj_create(ctx, target.wkt().c_str())};
  if (src.pj == nullptr || dst.pj == nullptr) {
    throw CV_ERROR(InvalidArgumentError, "PROJ cannot read the CRS").With("crs", source.name()).With("proj", ProjError(ctx));
  }
  ProjFactoryContext factory(ctx);
  proj_operation_factory_context_set_spatial_criterion(ctx, factory.fc, PROJ_SPATIAL_CRITERION_PARTIAL_INTERSECTION);
  proj_operation_factory_context_set_grid_availability_use(ctx, factory.fc,
                                                           PROJ_GRID_AVAILABILITY_DISCARD_OPERATION_IF_MISSING_GRID);
  bool have_area = false;
  if (aoi) {
    proj_operation_factory_context_set_area_of_interest(ctx, factory.fc, aoi->west_lon_deg, aoi->south_lat_deg,
                                                        aoi->east_lon_deg, aoi->north_lat_deg);
    have_area = true;
  } else {
    double west = 0, south = 0, east = 0, north = 0;
    if (proj_get_area_of_use(ctx, src.pj, &west, &south, &east, &north, nullptr) && west > -1000.0) {
      proj_operation_factory_context_set_area_of_interest(ctx, factory.fc, west, south, east, north);
      have_area = true;
    }
  }
  ProjList ops{proj_create_operations(ctx, src.pj, dst.pj, factory.fc)};
  const int count = ops.list != nullptr ? proj_list_get_count(ops.list) : 0;
  std::vector<int> usable;
  for (int i = 0; i < count; ++i) {
    ProjObject op{proj_list_get(ctx, ops.list, i)};
    if (op.pj != nullptr && proj_coordoperation_is_instantiable(ctx, op.pj)) usable.push_back(i);
  }
  if (usable.empty()) {
    throw CV_ERROR(InvalidArgumentError, "PROJ finds no usable coordinate operation")
        .With("from", source.name())
        .With("to", target.name())
        .With("proj", ProjError(ctx))
        .Hint("a required transformation grid may be missing from PROJ's data directory");
  }
  ProjObject best{proj_list_get(ctx, ops.list, usable.front())};
  CoordinateOperationInfo info;
  info.name = proj_get_name(best.pj) != nullptr ? proj_get_name(best.pj) : "";
  info.transformation_ids = TransformationIds(ctx, best.pj);
  info.accuracy_m = proj_coordoperation_get_accuracy(ctx, best.pj);
  info.candidate_count = static_cast<int>(usable.size());
  if (!have_area && usable.size() > 1) {
    throw CV_ERROR(InvalidArgumentError, "the datum transformation depends on where the points are")
        .With("from", source.name())
        .With("to", target.name())
        .With("candidates", usable.size())
        .Hint("pass GeographicTransformOptions::area_of_interest (GeoRaster uses its footprint)");
  }
  const char* proj_string = proj_as_proj_string(ctx, best.pj, PJ_PROJ_5, nullptr);
  if (proj_string != nullptr) {
    info.proj_pipeline = proj_string;
  } else {
    const char* wkt = proj_as_wkt(ctx, best.pj, PJ_WKT2_2019, nullptr);
    if (wkt == nullptr) throw CV_ERROR(InternalError, "PROJ cannot export the chosen operation").With("operation", info.name);
    info.proj_pipeline = wkt;
  }
  return info;
}

std::unique_ptr<OGRCoordinateTransformation> MakeCt(const Crs& from, const Crs& to, const std::string& pipeline,
                                                    bool reverse) {
  internal::GdalErrorScope errors;
  OGRCoordinateTransformationOptions options;
  if (!pipeline.empty() && !options.SetCoordinateOperation(pipeline.c_str(), reverse)) {
    throw CV_ERROR(InternalError, "GDAL rejects the coordinate operation").With("gdal", errors.messages());
  }
  std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&from.ogr(), &to.ogr(), options));
  if (ct == nullptr) {
    throw CV_ERROR(InvalidArgumentError, "GDAL cannot create the coordinate transformation")
        .With("from", from.name())
        .With("to", to.name())
        .With("gdal", errors.messages());
  }
  return ct;
}

std::unique_ptr<OGRCoordinateTransformation> CloneCt(const std::unique_ptr<OGRCoordinateTransformation>& ct) {
  return std::unique_ptr<OGRCoordinateTransformation>(ct ? ct->Clone() : nullptr);
}

}  // namespace

const char* LatLonDatumName(LatLonDatum datum) {
  switch (datum) {
    case LatLonDatum::kWgs84: return "WGS 84";
    case LatLonDatum::kCrsBase: return "the CRS's own datum";
  }
  return "?";
}

std::string CoordinateOperationInfo::ToString() const {
  std::ostringstream os;
  os << name;
  if (!transformation_ids.empty()) {
    os << " [";
    for (size_t i = 0; i < transformation_ids.size(); ++i) os << (i ? ", " : "") << transformation_ids[i];
    os << "]";
  }
  if (accuracy_m >= 0) {
    os << ", accuracy " << accuracy_m << " m";
  } else {
    os << ", accuracy unknown";
  }
  return os.str();
}

GeographicTransform::GeographicTransform(const Crs& crs, const GeographicTransformOptions& options)
    : source_(crs),
      target_(options.datum == LatLonDatum::kWgs84 ? Crs::Wgs84() : crs.GeographicBase()),
      datum_(options.datum) {
  internal::EnsureGdalRegistered();
  if (source_.IsSame(target_)) {
    operation_.name = "identity (source is the target geographic CRS)";
    operation_.accuracy_m = 0.0;
    operation_.candidate_count = 1;
  } else {
    operation_ = SelectOperation(source_, target_, options.area_of_interest);
  }
  forward_ = MakeCt(source_, target_, operation_.proj_pipeline, false);
  inverse_ = MakeCt(target_, source_, operation_.proj_pipeline, true);
}

GeographicTransform::GeographicTransform(const GeographicTransform& other)
    : source_(other.source_),
      target_(other.target_),
      datum_(other.datum_),
      operation_(other.operation_),
      forward_(CloneCt(other.forward_)),
      inverse_(CloneCt(other.inverse_)) {}

GeographicTransform& GeographicTransform::operator=(const GeographicTransform& other) {
  if (this != &other) {
    GeographicTransform copy(other);
    *this = std::move(copy);
  }
  return *this;
}

GeographicTransform::GeographicTransform(GeographicTransform&&) noexcept = default;
GeographicTransform& GeographicTransform::operator=(GeographicTransform&&) noexcept = default;
GeographicTransform::~GeographicTransform() = default;

LatLonDeg GeographicTransform::LatLonFromCrs(CrsXY crs) const {
  double x = crs.x, y = crs.y;
  if (!forward_->Transform(1, &x, &y) || !std::isfinite(x) || !std::isfinite(y)) {
    throw CV_ERROR(InvalidArgumentError, "cannot transform the point to latitude/longitude")
        .With("point", crs)
        .With("crs", source_.name())
        .Hint("the point may lie outside the projection's valid domain");
  }
  return {y, x};  // traditional GIS order on the target: x = longitude
}

CrsXY GeographicTransform::CrsFromLatLon(LatLonDeg lat_lon) const {
  double x = lat_lon.lon_deg, y = lat_lon.lat_deg;
  if (!inverse_->Transform(1, &x, &y) || !std::isfinite(x) || !std::isfinite(y)) {
    throw CV_ERROR(InvalidArgumentError, "cannot transform latitude/longitude into the CRS")
        .With("lat_lon", lat_lon)
        .With("crs", source_.name())
        .Hint("the point may lie outside the projection's valid domain");
  }
  return {x, y};
}

double GeographicTransform::GridConvergenceDeg(CrsXY crs) const {
  // True north expressed in grid coordinates, by a central difference along the meridian.
  constexpr double kStepDeg = 1e-4;
  const LatLonDeg centre = LatLonFromCrs(crs);
  const double lat_lo = std::max(-90.0, centre.lat_deg - kStepDeg);
  const double lat_hi = std::min(90.0, centre.lat_deg + kStepDeg);
  const CrsXY south = CrsFromLatLon({lat_lo, centre.lon_deg});
  const CrsXY north = CrsFromLatLon({lat_hi, centre.lon_deg});
  const double dx = north.x - south.x, dy = north.y - south.y;
  // Grid north lies east of true north when true north, seen in the grid, leans west (dx < 0).
  return std::atan2(-dx, dy) * 180.0 / M_PI;
}

}  // namespace crossview::geo
