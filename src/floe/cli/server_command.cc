// `floe server`: the Iceberg REST catalog over the embedded catalog.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "floe/cli/catalog_options.h"
#include "floe/cli/command.h"
#include "floe/server/http_server.h"
#include "floe/server/rest_catalog.h"
#include "floe/stream/pipeline_group.h"

namespace floe::cli {
namespace {

struct ServerOptions {
  CatalogOptions catalog;
  server::HttpServerOptions http;
  std::vector<std::string> allowed_locations;
  std::string config;  // pipelines to run beside the catalog
};

// A server holds a descriptor per connection: use all the process may have.
void RaiseDescriptorLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

Status RunServer(const ServerOptions& o) {
  RaiseDescriptorLimit();
  FLOE_ASSIGN_OR_RETURN(auto cat, OpenCatalog(o.catalog));
  const std::string warehouse = LocalUri(o.catalog.warehouse);
  auto service =
      std::make_shared<server::RestCatalog>(std::move(cat), warehouse, o.allowed_locations);

  // SIGINT / SIGTERM stop the server gracefully: no new connections, requests
  // in flight (commits included) finish. The signals are blocked here, before
  // any thread starts, and taken by a watcher thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::vector<stream::PipelineConfig> pipelines;
  if (!o.config.empty()) {
    FLOE_ASSIGN_OR_RETURN(pipelines, LoadPipelineConfig(o.config));
  }

  // GET /metrics: the pipelines' figures for Prometheus; every other path
  // is the catalog's.
  stream::PipelineGroup group;
  auto handle = [service, &group](const server::HttpRequest& r) {
    if (r.path == "/metrics" && (r.method == "GET" || r.method == "HEAD")) {
      server::HttpResponse response;
      response.content_type = "text/plain; version=0.0.4; charset=utf-8";
      response.body = group.MetricsText();
      return response;
    }
    return service->Handle(r);
  };
  FLOE_ASSIGN_OR_RETURN(auto http, server::HttpServer::Bind(o.http, handle));
  std::fprintf(stderr, "floe server listening on http://%s:%d (warehouse %s)\n",
               o.http.host.c_str(), http->port(), warehouse.c_str());
  std::fflush(stderr);
  // The pipelines commit through their own connections to the same catalog.
  if (!pipelines.empty()) {
    const size_t count = pipelines.size();
    FLOE_RETURN_IF_ERROR(group.Start(
        std::move(pipelines), [&] { return OpenCatalog(o.catalog); }, warehouse));
    spdlog::info("running {} pipeline(s) of {}", count, o.config);
  }
  std::atomic<bool> done = false;
  std::thread watcher([&] {
    const timespec tick{0, 200'000'000};
    auto last_progress = std::chrono::steady_clock::now();
    while (!done) {
      const int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig == SIGINT || sig == SIGTERM) {
        spdlog::info("signal {}: stopping after the requests in flight", sig);
        group.Stop();
        http->Stop();
        return;
      }
      if (!o.config.empty() &&
          group.Finished()) {  // a pipeline failed: let a supervisor restart us
        spdlog::error("the pipelines stopped: stopping the server");
        http->Stop();
        return;
      }
      const auto now = std::chrono::steady_clock::now();
      if (!o.config.empty() && now - last_progress >= std::chrono::seconds(10)) {
        group.LogProgress(std::chrono::duration<double>(now - last_progress).count());
        last_progress = now;
      }
    }
  });
  Status served = http->Serve();
  done = true;
  watcher.join();
  group.Stop();
  Status pipelines_result = group.Wait();
  spdlog::info("floe server stopped");
  if (!served.ok()) return served;
  return pipelines_result;
}

}  // namespace

void AddServerCommand(CLI::App& app) {
  auto o = std::make_shared<ServerOptions>();
  CLI::App* cmd = app.add_subcommand(
      "server", "Serve the Iceberg REST catalog API over the warehouse's catalog");
  AddCatalogOptions(cmd, o->catalog);
  cmd->add_option("--host", o->http.host, "Address to listen on (loopback by default)")
      ->capture_default_str();
  cmd->add_option("--port", o->http.port, "Port (0: any free port, printed at start)")
      ->capture_default_str();
  cmd->add_option("--max-body-bytes", o->http.max_body_bytes, "Largest request body accepted")
      ->capture_default_str();
  cmd->add_option("--max-connections", o->http.max_connections,
                  "Connections held open at once; more are refused")
      ->capture_default_str();
  cmd->add_option("--max-buffered-bytes", o->http.max_buffered_bytes,
                  "Request bytes and unsent answers held for all connections together; requests "
                  "beyond it get 503")
      ->capture_default_str();
  cmd->add_option("--read-timeout", o->http.read_timeout_seconds,
                  "Seconds a request may take to arrive whole, from its first byte")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--write-timeout", o->http.write_timeout_seconds,
                  "Seconds a client may go without taking a byte of its answer")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--allowed-location", o->allowed_locations,
                  "A directory (path or file:// URI) where tables and views may live besides "
                  "the warehouse; repeat for more. Clients cannot place, register or purge "
                  "files anywhere else");
  cmd->add_option("--workers", o->http.workers,
                  "Threads answering requests; 0: one per core (idle connections hold none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  cmd->add_option("--config", o->config,
                  "A YAML file with a pipelines: list (as floe pipeline run takes) to run beside "
                  "the catalog");
  cmd->callback([o] { ExitOnError(RunServer(*o)); });
}

}  // namespace floe::cli
