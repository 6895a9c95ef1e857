#include "crossview/data/site_selection.h"

#include <algorithm>
#include <cstdio>

#include "crossview/data/validity.h"
#include "crossview/util/errors.h"
#include "crossview/util/parallel.h"

namespace crossview::data {
namespace {

// Thumbnails of one family's candidates, rendered in parallel batches on first use (pure
// functions of the candidate, so the batching never changes a result).
class ThumbnailCache {
 public:
  ThumbnailCache(const SiteFamily& family, const TargetSelectionOptions& sel, double side_m, int jobs)
      : family_(family), sel_(sel), side_m_(side_m), jobs_(jobs) {}

  const TileThumbnail& Get(size_t ci) {
    if (ci < begin_ || ci >= begin_ + thumbs_.size()) {
      const size_t batch = static_cast<size_t>(std::max(8, 4 * ResolveJobs(jobs_)));
      begin_ = ci;
      const size_t end = std::min(family_.candidates.size(), ci + batch);
      thumbs_.assign(end - begin_, TileThumbnail());
      ParallelFor(static_cast<int64_t>(end - begin_), jobs_, [&](int64_t i) {
        thumbs_[static_cast<size_t>(i)] =
            RenderTileThumbnail(*family_.map->pyramid, family_.base->frame, family_.candidates[begin_ + static_cast<size_t>(i)],
                                side_m_, sel_.thumbnail_size_px, sel_.thumbnail_blur_sigma_px);
      });
    }
    return thumbs_[ci - begin_];
  }

 private:
  const SiteFamily& family_;
  const TargetSelectionOptions& sel_;
  double side_m_;
  int jobs_;
  size_t begin_ = 0;
  std::vector<TileThumbnail> thumbs_;
};

}  // namespace

std::string MetresText(double m) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f m", m);
  return buf;
}

std::optional<cv::Rect2d> SiteCentreRegionXyPx(const MapSource& base, const SynthFamily& family, double margin_m) {
  const std::optional<cv::Rect2d> region = TargetCentreRegionXyPx(base.frame, margin_m, base.periodic_half);
  if (!region || !family.half_xy_px) return region;
  // A user orthophoto's half: keep the margin from the midline too.
  const cv::Rect2d& half = *family.half_xy_px;
  const double margin_px = margin_m / base.frame.gsd_m;
  const double x0 = std::max(region->x, half.x + margin_px);
  const double y0 = std::max(region->y, half.y + margin_px);
  const double x1 = std::min(region->x + region->width, half.x + half.width - margin_px);
  const double y1 = std::min(region->y + region->height, half.y + half.height - margin_px);
  if (x1 < x0 || y1 < y0) return std::nullopt;
  return cv::Rect2d(x0, y0, x1 - x0, y1 - y0);
}

std::string SkippedForCapacity(const MapSource& base, const SynthFamily& family, double margin_m,
                               const std::string& why) {
  const double w = family.half_xy_px ? family.half_xy_px->width : base.frame.width_px;
  const double h = family.half_xy_px ? family.half_xy_px->height : base.frame.height_px;
  return "needs " + MetresText(margin_m) + " of map on every side of a target (" + why + "); " +
         (family.half_xy_px ? "the half" : "the texture") + " is " + MetresText(w * base.frame.gsd_m) + " x " +
         MetresText(h * base.frame.gsd_m) + (base.periodic_half ? " (left half only)" : "");
}

std::vector<cv::Vec2d> SiteCandidates(const MapSource& base, const cv::Rect2d& region_px, double spacing_m, int attempts,
                                      Rng rng) {
  const MapFrame& f = base.frame;
  const cv::Vec2d top_left = f.EnFromXy({region_px.x, region_px.y});
  const cv::Rect2d region_en(top_left[0], top_left[1] - region_px.height * f.gsd_m, region_px.width * f.gsd_m,
                             region_px.height * f.gsd_m);
  std::vector<cv::Vec2d> points = PoissonDiskSamples(region_en, spacing_m, attempts, rng);
  if (base.periodic_half) {  // columns [0, W/2) strictly
    points.erase(std::remove_if(points.begin(), points.end(),
                                [&](const cv::Vec2d& p) { return f.XyFromEn(p)[0] >= 0.5 * f.width_px; }),
                 points.end());
  }
  return points;
}

std::vector<SelectedSite> SelectSites(const std::vector<SiteFamily>& families, const TargetSelectionOptions& sel,
                                      const SiteSelectionParams& params, const SiteDrawFn& draw, DuplicateIndex& index,
                                      std::vector<TargetRejections>* rejections) {
  if (rejections != nullptr) rejections->resize(families.size());
  std::vector<ThumbnailCache> caches;
  caches.reserve(families.size());
  for (const SiteFamily& f : families) {
    CV_CHECK(f.base != nullptr && f.map != nullptr && f.map->pyramid != nullptr);
    caches.emplace_back(f, sel, params.thumbnail_side_m, params.jobs);
  }
  std::vector<size_t> next(families.size(), 0);
  std::vector<int> placed(families.size(), 0);
  std::vector<SelectedSite> out;
  TargetRejections scratch;
  auto total_reached = [&] { return params.total_cap >= 0 && static_cast<int>(out.size()) >= params.total_cap; };

  // Advances family `slot` until it accepts one place (true) or runs out of candidates or cap.
  auto accept_one = [&](size_t slot) {
    const SiteFamily& fam = families[slot];
    TargetRejections& rej = rejections != nullptr ? (*rejections)[slot] : scratch;
    while (next[slot] < fam.candidates.size() && placed[slot] < fam.cap) {
      const size_t ci = next[slot]++;
      const TileThumbnail& thumb = caches[slot].Get(ci);
      if (thumb.highpass_std < sel.featureless_highpass_std) {
        ++rej.featureless;
        continue;
      }
      const double score = index.BestMatch(thumb, sel.duplicate_ncc);
      if (score >= sel.duplicate_ncc) {
        ++rej.duplicate;
        continue;
      }
      SiteDraw d;
      int attempt = 0;
      for (; attempt <= sel.max_redraws; ++attempt) {
        d = draw(fam, static_cast<int>(ci), attempt);
        if (d.fits) break;
        ++rej.redraws;
      }
      if (!d.fits) {
        ++rej.out_of_map;
        continue;
      }
      index.Add(thumb);
      SelectedSite s;
      s.slot = slot;
      s.candidate_index = static_cast<int>(ci);
      s.centre_en_m = fam.candidates[ci];
      s.draw_value = d.value;
      s.redraws = attempt;
      s.highpass_std = thumb.highpass_std;
      s.duplicate_score = score;
      out.push_back(s);
      ++placed[slot];
      return true;
    }
    return false;
  };

  if (params.order == SiteOrder::kFamilyByFamily) {
    for (size_t slot = 0; slot < families.size() && !total_reached(); ++slot) {
      while (!total_reached() && accept_one(slot)) {
      }
    }
  } else {
    for (bool progress = true; progress && !total_reached();) {
      progress = false;
      for (size_t slot = 0; slot < families.size() && !total_reached(); ++slot) progress |= accept_one(slot);
    }
  }
  return out;
}

}  // namespace crossview::data
