#include "crossview/geo/distance.h"

#include <algorithm>
#include <cmath>

#include "crossview/util/errors.h"

namespace crossview::geo {
namespace {
constexpr double kDegToRad = M_PI / 180.0;
}  // namespace

double HaversineDistanceM(LatLonDeg a, LatLonDeg b, double radius_m) {
  if (!(radius_m > 0.0)) throw CV_ERROR(InvalidArgumentError, "sphere radius must be positive").With("radius_m", radius_m);
  const double phi1 = a.lat_deg * kDegToRad, phi2 = b.lat_deg * kDegToRad;
  const double dphi = (b.lat_deg - a.lat_deg) * kDegToRad;
  const double dlambda = (b.lon_deg - a.lon_deg) * kDegToRad;
  const double s_phi = std::sin(dphi / 2.0), s_lambda = std::sin(dlambda / 2.0);
  const double h = s_phi * s_phi + std::cos(phi1) * std::cos(phi2) * s_lambda * s_lambda;
  return 2.0 * radius_m * std::asin(std::min(1.0, std::sqrt(h)));
}

double EnDistanceM(EnM a, EnM b) { return std::hypot(b.e_m - a.e_m, b.n_m - a.n_m); }

double InitialBearingDeg(LatLonDeg from, LatLonDeg to) {
  const double phi1 = from.lat_deg * kDegToRad, phi2 = to.lat_deg * kDegToRad;
  const double dlambda = (to.lon_deg - from.lon_deg) * kDegToRad;
  const double y = std::sin(dlambda) * std::cos(phi2);
  const double x = std::cos(phi1) * std::sin(phi2) - std::sin(phi1) * std::cos(phi2) * std::cos(dlambda);
  double bearing = std::atan2(y, x) / kDegToRad;
  if (bearing <= -180.0) bearing += 360.0;
  return bearing;
}

}  // namespace crossview::geo
