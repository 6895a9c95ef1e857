#include "crossview/data/uniform_range.h"

#include <cmath>

#include "crossview/util/errors.h"

namespace crossview::data {

double DrawUniform(Rng& rng, const UniformRange& range) {
  const double u = rng.Uniform01();
  return range.lo + (range.hi - range.lo) * u;
}

void CheckUniformRange(const std::string& field, const UniformRange& range, double min_allowed,
                       double max_allowed) {
  if (!(std::isfinite(range.lo) && std::isfinite(range.hi) && range.lo <= range.hi)) {
    throw CV_ERROR(InvalidArgumentError, field + " is not a range")
        .With("lo", range.lo)
        .With("hi", range.hi)
        .Hint("give lo <= hi, both finite");
  }
  if (range.lo < min_allowed || range.hi > max_allowed) {
    throw CV_ERROR(InvalidArgumentError, field + " is out of bounds")
        .With("lo", range.lo)
        .With("hi", range.hi)
        .With("allowed_min", min_allowed)
        .With("allowed_max", max_allowed);
  }
}

}  // namespace crossview::data
