// Ground distances (data.md §2.2).
//
// The official UL14 metric is the haversine great-circle distance on a sphere of radius
// 6378.137 km. crossview's own metre error is the Euclidean distance in a family's local (e, n)
// frame; over a 4 km texture the two agree within 3·10⁻⁴ relative (a larger gap is a bug).
#pragma once

#include "crossview/geo/coords.h"

namespace crossview::geo {

// The sphere radius of the UL14 metric and of the synthetic georeference, in metres.
inline constexpr double kUl14EarthRadiusM = 6378137.0;

// Great-circle distance between two points on a sphere of `radius_m`, in metres.
double HaversineDistanceM(LatLonDeg a, LatLonDeg b, double radius_m = kUl14EarthRadiusM);

// Euclidean distance in a local metric (e, n) frame, in metres.
double EnDistanceM(EnM a, EnM b);

// Initial great-circle bearing from `from` to `to` on the sphere, degrees clockwise from true
// north in (-180, 180].
double InitialBearingDeg(LatLonDeg from, LatLonDeg to);

}  // namespace crossview::geo
