// A closed interval to draw random parameters from, shared by the photometric and occlusion
// options (spec data.md §3.9, §3.10).
#pragma once

#include <string>

#include "crossview/util/random.h"

namespace crossview::data {

// [lo, hi]; lo == hi fixes the value.
struct UniformRange {
  double lo = 0.0;
  double hi = 0.0;
};

// One uniform draw in [lo, hi). Always consumes exactly one value from `rng`, even when the range
// is fixed, so switching a parameter off does not shift the draws that follow.
double DrawUniform(Rng& rng, const UniformRange& range);

// Throws InvalidArgumentError naming `field` (e.g. "photometric.gamma") unless lo ≤ hi, both are
// finite, and the range lies inside [min_allowed, max_allowed].
void CheckUniformRange(const std::string& field, const UniformRange& range, double min_allowed,
                       double max_allowed);

}  // namespace crossview::data
