// crossview serve --index IDX [--drl-checkpoint D] [--host 127.0.0.1] [--port 8080] [--workers 2] [--example IMG] ...
// Serves the locate API and the map page (docs/service.md) until SIGINT or SIGTERM.
#include <csignal>
#include <ctime>
#include <iostream>

#include "crossview/cli/command.h"
#include "crossview/cli/common_flags.h"
#include "crossview/service/service.h"
#include "crossview/util/log.h"

namespace crossview::cli {

int RunServe(int argc, char** argv) {
  CLI::App app("Serve the locate API and a map page over HTTP (docs/service.md).", "crossview serve");
  CommonFlags common;
  AddCommonFlags(app, &common);
  service::ServiceOptions o;
  app.add_option("--index", o.index, "index directory ('crossview index build')")->required();
  app.add_option("--checkpoint", o.checkpoint, "retrieval model (default: the one recorded in the index; must match it)");
  app.add_option("--drl-checkpoint", o.drl_checkpoint, "DRL model directory: enables refine=drl");
  app.add_option("--map", o.map, "the index's map at a new location (must be the same file)");
  AddDeviceFlag(app, &o.device);
  bool no_verify = false;
  app.add_flag("--no-verify", no_verify, "skip the SHA-256 checks of the index files and the map at start-up");
  app.add_option("--host", o.host, "address to listen on (127.0.0.1: this machine only; 0.0.0.0 exposes it to the network)")->capture_default_str();
  app.add_option("--port", o.port, "TCP port; 0 = any free port (printed at start-up)")->capture_default_str();
  app.add_option("--workers", o.workers, "locates running at the same time (one model copy each)")->capture_default_str();
  app.add_option("--max-queue", o.max_queue, "locates allowed to wait for a worker; one more gets 503")->capture_default_str();
  app.add_option("--queue-timeout-s", o.queue_timeout_s, "longest wait for a worker before 503")->capture_default_str();
  app.add_option("--http-threads", o.http_threads, "connections served at once (must exceed --workers)")->capture_default_str();
  app.add_option("--max-body-bytes", o.max_body_bytes, "larger request bodies get 413")->capture_default_str();
  app.add_option("--max-image-pixels", o.max_image_pixels, "images with more pixels (width x height) get 413")->capture_default_str();
  app.add_option("--max-top-k", o.max_top_k, "largest top_k a request may ask for")->capture_default_str();
  app.add_option("--read-timeout-s", o.read_timeout_s, "socket read timeout while receiving a request")->capture_default_str();
  app.add_option("--write-timeout-s", o.write_timeout_s, "socket write timeout while sending a response")->capture_default_str();
  app.add_option("--overview-max-px", o.overview_max_px, "longer side of the map overview on the page; 0 = none")->capture_default_str();
  app.add_option("--example", o.example, "an image (JPEG/PNG) the page locates when opened as /?example=1");
  app.add_option("--leaflet-dir", o.leaflet_dir, "where Leaflet's files are (Debian's libjs-leaflet)")->capture_default_str();

  return RunCommand(app, argc, argv, [&] {
    common.Apply();
    o.verify_checksums = !no_verify;
    o.Check();
    // SIGINT / SIGTERM are taken with sigwait below: block them before any thread starts, so
    // every thread inherits the mask and none is interrupted.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    auto svc = service::Service::Create(o);
    svc->Start();
    std::cout << "crossview serve: listening on " << svc->url() << " (Ctrl-C stops)" << std::endl;
    const timespec tick{0, 200'000'000};
    while (svc->running()) {
      const int sig = sigtimedwait(&stop_signals, nullptr, &tick);
      if (sig == SIGINT || sig == SIGTERM) {
        CV_LOG_INFO("{}: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
        break;
      }
    }
    svc->Stop();
  });
}

}  // namespace crossview::cli
