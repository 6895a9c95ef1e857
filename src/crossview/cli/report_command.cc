// crossview report flight --index IDX --track LABEL=DIR[:HEATMAPS] [--track ...] [--flight DIR]
//                         [--map MAP] [--ks 10,20,50] [--examples N] [--title T] [--note TEXT]
//                         --out DIR [--json]
// Compares tracks of one flight (written by `crossview locate --sequence ... --truth ...`) on the
// map they were located on: R@1 of the best tile, MA@K, error statistics; writes report.json,
// report.md, report.html, the map overview with the tracks, the error curves and example frames
// with their DRL heatmaps (pipeline/flight_report.h), and prints the table.
#include <iostream>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/pipeline/flight_report.h"
#include "crossview/util/errors.h"

namespace crossview::cli {

namespace {

pipeline::FlightReportTrack ParseTrack(const std::string& spec) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    throw CV_ERROR(InvalidArgumentError, "bad --track '" + spec + "'").Hint("write --track LABEL=DIR or --track LABEL=DIR:HEATMAP_DIR");
  }
  pipeline::FlightReportTrack t;
  t.label = spec.substr(0, eq);
  std::string rest = spec.substr(eq + 1);
  const auto colon = rest.find(':');
  if (colon != std::string::npos) {
    t.heatmaps = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  t.dir = rest;
  return t;
}

}  // namespace

int RunReport(int argc, char** argv) {
  CLI::App app("reports over several runs", "crossview report");
  app.require_subcommand(1);
  CommonFlags common;
  AddCommonFlags(app, &common);
  pipeline::FlightReportOptions o;
  std::vector<std::string> tracks;
  std::string index, map, flight, out;
  bool json = false;
  CLI::App* fl = app.add_subcommand("flight", "tracks of one flight against the truth: R@1, MA@K, map with tracks, heatmaps (HTML + JSON)");
  fl->add_option("--index", index, "the index directory the tracks were located on")->required();
  fl->add_option("--track", tracks, "LABEL=DIR[:HEATMAP_DIR] a 'locate --sequence --out DIR' output (repeatable)")->required();
  fl->add_option("--map", map, "the index's map at a new location (default: the path recorded in the index)");
  fl->add_option("--flight", flight, "the frames folder, for example pictures");
  fl->add_option("--ks", o.ks, "MA@K thresholds in metres")->delimiter(',')->capture_default_str();
  fl->add_option("--examples", o.examples, "example frames in the HTML")->capture_default_str();
  fl->add_option("--title", o.title, "report title")->capture_default_str();
  fl->add_option("--note", o.note, "a paragraph under the title (e.g. where the data comes from)");
  fl->add_option("--out", out, "output directory")->required();
  fl->add_flag("--json", json, "print report.json on stdout instead of the table");
  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    o.index = index;
    o.map = map;
    o.flight = flight;
    for (const auto& t : tracks) o.tracks.push_back(ParseTrack(t));
    const pipeline::FlightReport r = pipeline::WriteFlightReport(o, out);
    if (json) {
      std::cout << r.json.dump(2) << "\n";
      return;
    }
    std::cout << pipeline::FormatFlightReportText(r) << "report: " << out << "/report.html\n";
  });
}

}  // namespace crossview::cli
