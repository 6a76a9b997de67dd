#include "fetch/app/app.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <system_error>

#include "fetch/client/client.hpp"
#include "fetch/transport/gate.hpp"
#include "fetch/input/line_source.hpp"
#include "fetch/app/options.hpp"
#include "fetch/report/fd_output.hpp"
#include "fetch/transport/pool.hpp"
#include "fetch/dns/resolver.hpp"
#include "fetch/run/scheduler.hpp"
#include "fetch/report/sink.hpp"
#include "fetch/report/summary.hpp"
#include "fetch/tls/context.hpp"
#include "fetch/tls/sessions.hpp"
#include "fetch/tls/verify_cache.hpp"

namespace fetch {

namespace asio = boost::asio;

namespace {

constexpr unsigned kIdleConnectionsPerWorker = 4;
constexpr std::size_t kMinTlsSessionOrigins = 256;
constexpr std::size_t kVerifiedChains = 1024;

void print_error(std::string_view message) {
  fmt::print(stderr, "fetch: {}\n", message);
  std::fflush(stderr);
}

bool looks_like_url(std::string_view argument) {
  return argument.find("://") != std::string_view::npos;
}

// Below this, even one URL cannot run: stdio, epoll, its wake-up and timer descriptors, the
// signal pipe, the DNS socket, an input file and one connection.
constexpr rlim_t kMinimumDescriptors = 16;

// Every connection needs a descriptor; the default soft limit (often 1024) is far below
// what -j allows. Raises it to the hard limit and warns when even that is too low for -j.
// Returns false, having said why, when fetch cannot run at all.
bool raise_descriptor_limit(unsigned concurrency) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return true;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  // Each fetch holds one socket; the pool keeps idle ones besides; DNS and stdio need a few.
  const rlim_t needed = (1 + kIdleConnectionsPerWorker) * static_cast<rlim_t>(concurrency) + 32;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < kMinimumDescriptors) {
    print_error(
        fmt::format("only {} file descriptors available (ulimit -n); fetch needs at "
                    "least {}",
                    limit.rlim_cur, kMinimumDescriptors));
    return false;
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    print_error(fmt::format("warning: only {} file descriptors available, -j {} may need {}",
                            limit.rlim_cur, concurrency, needed));
  }
  return true;
}

ClientSettings client_settings(const Options& options) {
  using std::chrono::duration;
  using std::chrono::milliseconds;
  ClientSettings settings;
  settings.connect_timeout =
      std::chrono::duration_cast<milliseconds>(duration<double>(options.connect_timeout_s));
  settings.max_time =
      std::chrono::duration_cast<milliseconds>(duration<double>(options.max_time_s));
  settings.max_redirects = options.max_redirects;
  settings.max_filesize = options.max_filesize;
  settings.verify_tls = !options.insecure;
  settings.user_agent = options.user_agent;
  settings.head = options.head;
  return settings;
}

// Files and "-" are read in order; URL arguments form one source of their own.
std::unique_ptr<LineSource> open_inputs(const asio::any_io_executor& executor,
                                        const std::vector<std::string>& inputs) {
  std::vector<std::unique_ptr<LineSource>> sources;
  std::vector<std::string> urls;
  for (const std::string& input : inputs) {
    if (looks_like_url(input)) {
      urls.push_back(input);
    } else {
      sources.push_back(open_line_source(executor, input));
    }
  }
  if (!urls.empty()) {
    sources.insert(sources.begin(), make_argument_source(std::move(urls)));
  }
  return concat_sources(std::move(sources));
}

asio::awaitable<void> run_and_join(Scheduler& scheduler, asio::signal_set& signals,
                                   Summary& summary) {
  co_await scheduler.run(summary);
  signals.cancel();
}

int run(int argc, char** argv) {
  // A closed stdout or socket must come back as EPIPE, not kill us mid-line.
  std::signal(SIGPIPE, SIG_IGN);

  Options options;
  CLI::App cli{
      "Fetch many URLs concurrently and report status, size and timings for each.\n"
      "Reads URLs from files, from standard input (-, or when no input is given),\n"
      "or from arguments that contain \"://\".",
      "fetch"};
  add_options(cli, options);
  cli.set_version_flag("--version", "fetch " FETCH_VERSION);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = cli.exit(error);  // prints help, version or the parse error
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (options.inputs.empty()) {
    if (is_terminal(STDIN_FILENO)) {
      print_error("no input: give a file of URLs, URLs, or pipe URLs on stdin (see --help)");
      return kExitUsage;
    }
    options.inputs.push_back("-");
  }

  // Checked before anything opens a descriptor (asio's epoll, the signal pipe).
  if (!raise_descriptor_limit(options.concurrency)) {
    return kExitUsage;
  }

  asio::io_context io{1};
  // Catch SIGINT/SIGTERM before any slow set-up (loading a CA bundle can take 40 ms, much
  // more under a sanitizer): a signal that arrives now is queued and handled once running.
  asio::signal_set signals{io, SIGINT, SIGTERM};
  std::unique_ptr<LineSource> source;
  try {
    source = open_inputs(io.get_executor(), options.inputs);
  } catch (const std::system_error& error) {
    print_error(error.what());
    return kExitUsage;
  }

  // OpenSSL's atexit clean-up frees its tables one by one: ~1.3 million instructions, a few
  // per cent of a short run, for memory the kernel takes back anyway. This is the first
  // OpenSSL call of the run, as the flag requires.
  OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
  std::optional<asio::ssl::context> tls;
  try {
    tls.emplace(make_tls_context(TlsSettings{!options.insecure, options.cacert}));
  } catch (const std::exception& error) {
    print_error(error.what());
    return kExitUsage;
  }
  if (options.insecure) {
    print_error("warning: --insecure: TLS certificates and host names are NOT verified");
  }

  const char* no_colour = std::getenv("NO_COLOR");
  const OutputChoice choice =
      choose_output(options, is_terminal(STDOUT_FILENO), is_terminal(STDERR_FILENO),
                    no_colour != nullptr && *no_colour != '\0');
  std::unique_ptr<Sink> sink = make_console_sink(choice, options.quiet);

  std::optional<Resolver> resolver;
  try {
    resolver.emplace(io.get_executor(), DnsSettings{.servers = options.dns_servers});
  } catch (const std::exception& error) {
    print_error(error.what());
    return kExitUsage;
  }
  // Idle connections kept for reuse. As curl does (4x its parallel transfers): with -j 50
  // over 200 origins, each origin keeps its connection between visits.
  const std::size_t pool_capacity = kIdleConnectionsPerWorker * options.concurrency;
  ConnectionPool pool{pool_capacity};
  // Chains verified once are not verified again for the next full handshake (see
  // verify_cache.hpp); a chain costs a few KiB at most.
  VerifyCache verify_cache{tls->native_handle(), kVerifiedChains};
  // Sessions for as many origins as the pool may keep connections to, and never fewer than
  // a few hundred: a session costs ~2 KiB, a full handshake ~1 ms of CPU.
  TlsSessions tls_sessions{tls->native_handle(),
                           std::max<std::size_t>(kMinTlsSessionOrigins, pool_capacity),
                           !options.no_session_reuse};
  ConnectionGate gate{pool};
  Session session{io.get_executor(),       *tls, tls_sessions, *resolver, pool, gate,
                  client_settings(options)};
  Scheduler scheduler{session, *source, *sink, options.concurrency};

  int stop_signal = 0;
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (!ec) {
      stop_signal = signal_number;
      scheduler.stop();
    }
  });

  Summary summary;
  const auto started = std::chrono::steady_clock::now();
  std::exception_ptr failure;
  asio::co_spawn(io, run_and_join(scheduler, signals, summary), [&](std::exception_ptr error) {
    failure = error;
    // DNS lookups still pending must not hold us up.
    io.stop();
  });
  io.run();
  summary.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary.interrupted = stop_signal != 0;

  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& error) {
      print_error(fmt::format("internal error: {}", error.what()));
    }
    return kExitSoftware;
  }
  if (sink->closed()) {
    return kExitBrokenPipe;  // the reader went away: stop quietly, as SIGPIPE would
  }
  sink->on_finish(summary);
  if (!scheduler.input_error().empty()) {
    print_error("error reading input: " + scheduler.input_error());
    return kExitUsage;
  }
  if (stop_signal == SIGINT) {
    return kExitInterrupted;
  }
  if (stop_signal == SIGTERM) {
    return kExitTerminated;
  }
  return summary.failed == 0 ? kExitOk : kExitSomeFailed;
}

}  // namespace

int run_app(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    // Expected failures are handled where they happen; what lands here is the system
    // refusing a resource while setting up (e.g. asio's epoll descriptor): say so, exit.
    print_error(fmt::format("cannot run: {}", error.what()));
    return kExitSoftware;
  }
}

}  // namespace fetch
