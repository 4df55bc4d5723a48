#include "daemon/serve.h"

#include <utility>  // before Asio (see STACK-NOTES)

#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <ostream>
#include <thread>

#include "daemon/app.h"
#include "daemon/config.h"
#include "daemon/data_dir.h"
#include "daemon/engine/message_engine.h"
#include "daemon/http_server.h"
#include "daemon/metrics.h"
#include "daemon/snapshot_manager.h"
#include "daemon/systemd_notify.h"

namespace helpline::daemon {

int RunServe(const ServeFlags& flags, std::ostream& out, std::ostream& err) {
  // A peer that went away (Redis killed, a client hanging up) must be an
  // error on that socket, not the end of the process.
  std::signal(SIGPIPE, SIG_IGN);
  auto loaded = LoadConfig(flags.config_path);
  if (!loaded.ok()) {
    err << "helpline serve: " << loaded.status().message() << "\n";
    return 1;
  }
  Config config = std::move(loaded).value();
  if (Status s = ApplyEnvironment(&config); !s.ok()) {
    err << "helpline serve: " << s.message() << "\n";
    return 1;
  }
  if (!flags.port.empty()) config.port = std::atoi(flags.port.c_str());
  if (!flags.listen.empty()) config.listen_address = flags.listen;
  if (!flags.redis_url.empty()) config.redis_url = flags.redis_url;
  if (!flags.data_dir.empty()) config.data_dir = flags.data_dir;
  if (config.data_dir.empty()) config.data_dir = DefaultDataDir();
  if (config.threads == 0) config.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  err << "helpline serve: effective configuration:\n" << DescribeConfig(config);
  if (Status s = ValidateConfig(config); !s.ok()) {
    err << "helpline serve: " << s.message() << "\n";
    return 1;
  }
  if (flags.check_config) {
    out << "configuration ok\n";
    return 0;
  }
  auto redis_url = redis::ParseUrl(config.redis_url);
  if (!redis_url.ok()) {
    err << "helpline serve: " << redis_url.status().message() << "\n";
    return 1;
  }

  engine::EngineOptions engine_options;
  engine_options.sms_segments = config.sms_segments;
  engine_options.chat_chars = config.chat_chars;
  engine_options.default_region = config.default_region;
  engine_options.include_unconfirmed = config.include_unconfirmed;
  auto engine = engine::LoadMessageEngine(config.data_dir + "/engine", engine_options);
  if (!engine.ok()) {
    err << "helpline serve: " << engine.status().message() << "\n";
    return 1;
  }

  Metrics metrics;
  // systemd (Type=notify; nothing outside it): daemon/systemd_notify.h.
  const SystemdNotifier notifier = SystemdNotifier::FromEnvironment();
  ServiceNotifier service(notifier, err);
  SnapshotOptions snapshot_options;
  snapshot_options.url = *redis_url;
  snapshot_options.store.prefix = config.redis_prefix;
  snapshot_options.poll = std::chrono::seconds(config.directory_poll_s);
  snapshot_options.disk_path = config.snapshot_path;
  snapshot_options.shipped_dir = config.data_dir + "/directory";
  SnapshotManager snapshots(
      std::move(snapshot_options),
      [&metrics, &err, &service](const directory::DirectoryIndex& index, SnapshotSource source) {
        metrics.SetDirectory(index.version(), index.size(), OldestVerifiedUnixSeconds(index));
        metrics.SetDirectorySource(SnapshotSourceName(source));
        metrics.CountDirectorySwap();
        err << "helpline serve: serving directory version " << index.version() << " (" << index.size()
            << " resources) from " << SnapshotSourceName(source) << "\n";
        service.DirectoryServed("version " + std::to_string(index.version()) + " (" + std::to_string(index.size()) +
                                " resources) from " + std::string(SnapshotSourceName(source)));
      },
      [&metrics, &err](const std::string& warning) {
        metrics.CountSnapshotWarning();
        err << "helpline serve: warning: " << warning << "\n";
      });
  if (Status s = snapshots.LoadNow(); !s.ok()) {
    if (snapshots.Get() != nullptr) {
      err << "helpline serve: Redis unreachable (" << s.message() << "): " << snapshots.Describe().note
          << "; replies have no memory (no dedupe, rate limit or stored state) until Redis is back\n";
    } else {
      err << "helpline serve: no directory yet (" << s.message() << "); /readyz answers 503 until one is loaded\n";
    }
  }
  metrics.SetRedisUp(snapshots.redis_up());
  snapshots.Start();

  HttpServerOptions http;
  http.address = config.listen_address;
  http.port = config.port;
  http.threads = config.threads;
  http.max_body_bytes = config.max_body_bytes;
  http.header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
  http.request_timeout = std::chrono::milliseconds(config.request_timeout_ms);
  http.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  http.max_connections = config.max_connections;
  HelplineApp app(config, *engine, snapshots, metrics);
  http.on_reject = [&app](int loop, int status, std::string_view method, std::string_view target,
                          std::string_view reason) { return app.Rejected(loop, status, method, target, reason); };
  HttpServer server(http, [&app](int loop, HttpRequest req, Responder respond) {
    app.Handle(loop, std::move(req), std::move(respond));
  });
  if (Status s = server.Listen(); !s.ok()) {
    err << "helpline serve: " << s.message() << "\n";
    return 3;
  }
  if (Status s = app.Attach(server); !s.ok()) {
    err << "helpline serve: " << s.message() << "\n";
    return 1;
  }

  boost::asio::signal_set signals(server.loop(0), SIGTERM, SIGINT, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal;
  on_signal = [&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      // Reload: the directory now; then the file and the environment, as at
      // the start. The settings that can change while running
      // (HelplineApp::Reload) are checked within the running configuration
      // (flags and derived values stay); a failed reload keeps it whole.
      service.Reloading();
      snapshots.Reload();
      auto again = LoadConfig(flags.config_path);
      Status checked = again.ok() ? ApplyEnvironment(&*again) : again.status();
      Config next = config;
      // default_region applies at the next start, but a value that start
      // would refuse is refused now, while the operator is watching.
      if (checked.ok()) checked = ValidateDefaultRegion(again->default_region);
      if (checked.ok()) {
        ApplyReloadable(*again, &next);
        checked = ValidateConfig(next);
      }
      if (!checked.ok()) {
        err << "helpline serve: SIGHUP: configuration not reloaded: " << checked.message() << "\n";
      } else {
        app.Reload(next);
        err << "helpline serve: SIGHUP: directory check requested; applied " << DescribeReloadable(next)
            << "; other settings apply at the next start\n";
      }
      service.Reloaded();
      signals.async_wait(on_signal);
      return;
    }
    err << "helpline serve: draining (signal " << sig << ")\n";
    service.Stopping();
    app.DrainOutbox();  // in-flight sends finish within the same deadline
    server.Drain(std::chrono::milliseconds(config.drain_timeout_ms), [&app] { return app.OutboxDrained(); });
  };
  signals.async_wait(on_signal);

  out << "listening on http://" << config.listen_address << ":" << server.port() << std::endl;
  std::vector<boost::asio::io_context*> loops;
  for (int i = 0; i < server.loops(); ++i) loops.push_back(&server.loop(i));
  LoopWatchdog watchdog(notifier, std::move(loops));
  watchdog.Start();
  service.Listening(snapshots.Get() != nullptr);
  server.Run();
  watchdog.Stop();
  app.Detach();
  snapshots.Stop();
  err << "helpline serve: stopped\n";
  return 0;
}

}  // namespace helpline::daemon
