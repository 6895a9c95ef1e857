#include "crossview/data/ir_layout.h"

#include <algorithm>
#include <map>

#include "crossview/util/errors.h"

namespace crossview::data {
namespace {

class JobRegistry {
 public:
  JobRegistry(const SynthCatalog& catalog, const IrPlan& plan) : catalog_(catalog), plan_(plan) {}

  ImageJob& Drone(int target, int view, const std::string& key_suffix) {
    const PlannedTarget& t = plan_.targets[static_cast<size_t>(target)];
    ImageJob& job = jobs_["drone/" + t.id + "/" + key_suffix];
    if (job.target < 0) {
      job.drone = true;
      job.target = target;
      job.view = view;
      job.source = t.source;
    }
    return job;
  }

  ImageJob& Satellite(int target, int source) {
    const PlannedTarget& t = plan_.targets[static_cast<size_t>(target)];
    ImageJob& job = jobs_["satellite/" + t.id + "/" + catalog_.sources[static_cast<size_t>(source)].name];
    if (job.target < 0) {
      job.drone = false;
      job.target = target;
      job.source = source;
    }
    return job;
  }

  std::vector<ImageJob> Take() {
    std::vector<ImageJob> out;
    for (auto& [key, job] : jobs_) {
      job.key = key;
      std::sort(job.clean_paths.begin(), job.clean_paths.end());
      std::sort(job.occluded_paths.begin(), job.occluded_paths.end());
      out.push_back(std::move(job));
    }
    return out;
  }

 private:
  const SynthCatalog& catalog_;
  const IrPlan& plan_;
  std::map<std::string, ImageJob> jobs_;
};

struct TileRules {
  TemporalMode temporal;
  const SynthCatalog& catalog;

  int Base(const PlannedTarget& t) const { return t.source; }
  int Query(const PlannedTarget& t) const { return temporal == TemporalMode::kCross ? t.gallery_source : t.source; }
  int Gallery(const PlannedTarget& t) const { return temporal == TemporalMode::kSame ? t.source : t.gallery_source; }
  // (file name, source) of the training folder's tiles.
  std::vector<std::pair<std::string, int>> Training(const PlannedTarget& t) const {
    if (temporal == TemporalMode::kCross) return {{t.id + ".jpg", t.gallery_source}};
    std::vector<std::pair<std::string, int>> out = {{t.id + ".jpg", t.source}};
    if (temporal == TemporalMode::kMulti) {
      const std::vector<int>& members = catalog.families[static_cast<size_t>(t.family)].members;
      for (size_t k = 1; k < members.size(); ++k) out.push_back({t.id + "_t" + std::to_string(k) + ".jpg", members[k]});
    }
    return out;
  }
};

std::string Join(const std::string& folder, const PlannedTarget& t, const std::string& file) {
  return folder + "/" + t.id + "/" + file;
}

void BuildUniversity1652(const IrSynthOptions& o, const SynthCatalog& catalog, const IrPlan& plan, JobRegistry& reg) {
  const TileRules rules{o.temporal, catalog};
  const bool cross = WritesCrossTestSet(o), occluded = WritesOcclusionTestSet(o);
  bool cross_has_targets = false;
  for (const PlannedTarget& t : plan.targets) {
    cross_has_targets |= t.split == "test" && catalog.families[static_cast<size_t>(t.family)].members.size() >= 2;
  }
  for (size_t ti = 0; ti < plan.targets.size(); ++ti) {
    const PlannedTarget& t = plan.targets[ti];
    const int target = static_cast<int>(ti);
    const std::string tile = t.id + ".jpg";
    if (t.split == "distractor") {
      reg.Satellite(target, rules.Gallery(t)).clean_paths.push_back(Join("test/gallery_satellite", t, tile));
      if (cross && cross_has_targets) {
        reg.Satellite(target, t.gallery_source).clean_paths.push_back(Join("test_cross/gallery_satellite", t, tile));
      }
      if (occluded) {
        reg.Satellite(target, rules.Gallery(t)).occluded_paths.push_back(Join("test_occlusion/gallery_satellite", t, tile));
      }
      continue;
    }
    const bool in_cross = cross && t.split == "test" && catalog.families[static_cast<size_t>(t.family)].members.size() >= 2;
    const bool in_occluded = occluded && t.split == "test";
    for (size_t v = 0; v < plan.views.size(); ++v) {
      const std::string file = plan.views[v].name + ".jpeg";
      ImageJob& job = reg.Drone(target, static_cast<int>(v), plan.views[v].name);
      if (t.split == "train") {
        job.clean_paths.push_back(Join("train/drone", t, file));
        continue;
      }
      const std::string root = t.split == "test" ? "test" : "val";
      job.clean_paths.push_back(Join(root + "/query_drone", t, file));
      job.clean_paths.push_back(Join(root + "/gallery_drone", t, file));
      if (in_cross) {
        job.clean_paths.push_back(Join("test_cross/query_drone", t, file));
        job.clean_paths.push_back(Join("test_cross/gallery_drone", t, file));
      }
      if (in_occluded) {
        job.occluded_paths.push_back(Join("test_occlusion/query_drone", t, file));
        job.occluded_paths.push_back(Join("test_occlusion/gallery_drone", t, file));
      }
    }
    if (t.split == "train") {
      for (const auto& [file, source] : rules.Training(t)) {
        reg.Satellite(target, source).clean_paths.push_back(Join("train/satellite", t, file));
      }
      continue;
    }
    const std::string root = t.split == "test" ? "test" : "val";
    reg.Satellite(target, rules.Query(t)).clean_paths.push_back(Join(root + "/query_satellite", t, tile));
    reg.Satellite(target, rules.Gallery(t)).clean_paths.push_back(Join(root + "/gallery_satellite", t, tile));
    if (in_cross) {
      ImageJob& job = reg.Satellite(target, t.gallery_source);
      job.clean_paths.push_back(Join("test_cross/query_satellite", t, tile));
      job.clean_paths.push_back(Join("test_cross/gallery_satellite", t, tile));
    }
    if (in_occluded) {
      reg.Satellite(target, rules.Query(t)).occluded_paths.push_back(Join("test_occlusion/query_satellite", t, tile));
      reg.Satellite(target, rules.Gallery(t)).occluded_paths.push_back(Join("test_occlusion/gallery_satellite", t, tile));
    }
  }
}

void BuildSues200(const IrSynthOptions& o, const SynthCatalog& catalog, const IrPlan& plan, JobRegistry& reg) {
  const TileRules rules{o.temporal, catalog};
  const bool has_validation = plan.Count("validation") > 0;
  for (int h : o.sues.heights_m) {
    const std::string hs = std::to_string(h);
    const std::string training = "Training/" + hs, validation = "Validation/" + hs, testing = "Testing/" + hs;
    for (size_t ti = 0; ti < plan.targets.size(); ++ti) {
      const PlannedTarget& t = plan.targets[ti];
      const int target = static_cast<int>(ti);
      const std::string tile = t.id + ".jpg";
      if (t.split == "distractor") {
        reg.Satellite(target, rules.Gallery(t)).clean_paths.push_back(Join(testing + "/gallery_satellite", t, tile));
        continue;
      }
      for (size_t v = 0; v < plan.views.size(); ++v) {
        if (plan.views[v].group_height_m != h) continue;
        const std::string file = plan.views[v].name + ".jpg";
        ImageJob& job = reg.Drone(target, static_cast<int>(v), "h" + hs + "/" + plan.views[v].name);
        std::vector<std::string> folders;
        if (t.split == "train") {
          folders = {training + "/drone", testing + "/gallery_drone"};
          if (has_validation) folders.push_back(validation + "/gallery_drone");
        } else if (t.split == "validation") {
          folders = {validation + "/query_drone", validation + "/gallery_drone", testing + "/gallery_drone"};
        } else {
          folders = {testing + "/query_drone", testing + "/gallery_drone"};
        }
        for (const std::string& f : folders) job.clean_paths.push_back(Join(f, t, file));
      }
      ImageJob& gallery = reg.Satellite(target, rules.Gallery(t));
      gallery.clean_paths.push_back(Join(testing + "/gallery_satellite", t, tile));
      if (t.split == "train") {
        for (const auto& [file, source] : rules.Training(t)) {
          reg.Satellite(target, source).clean_paths.push_back(Join(training + "/satellite", t, file));
        }
        if (has_validation) {
          reg.Satellite(target, rules.Gallery(t)).clean_paths.push_back(Join(validation + "/gallery_satellite", t, tile));
        }
      } else {
        const std::string root = t.split == "test" ? testing : validation;
        reg.Satellite(target, rules.Query(t)).clean_paths.push_back(Join(root + "/query_satellite", t, tile));
        if (t.split == "validation") {
          reg.Satellite(target, rules.Gallery(t)).clean_paths.push_back(Join(validation + "/gallery_satellite", t, tile));
        }
      }
    }
  }
}

}  // namespace

bool WritesCrossTestSet(const IrSynthOptions& o) {
  return o.cross_test_set && o.temporal == TemporalMode::kSame && o.layout != IrLayout::kSues200;
}

bool WritesOcclusionTestSet(const IrSynthOptions& o) {
  return o.occlusion_test_set && o.layout != IrLayout::kSues200;
}

std::vector<ImageJob> BuildIrJobs(const IrSynthOptions& o, const SynthCatalog& catalog, const IrPlan& plan) {
  JobRegistry reg(catalog, plan);
  if (o.layout == IrLayout::kSues200) {
    BuildSues200(o, catalog, plan, reg);
  } else {
    BuildUniversity1652(o, catalog, plan, reg);
  }
  return reg.Take();
}

}  // namespace crossview::data
