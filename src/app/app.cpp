#include "fetch/app/app.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "bench.hpp"
#include "fetch/app/options.hpp"
#include "fetch/app/request_body.hpp"
#include "fetch/app/runtime.hpp"
#include "fetch/body/saved_file.hpp"
#include "fetch/input/line_count.hpp"
#include "fetch/input/line_source.hpp"
#include "fetch/report/fd_output.hpp"
#include "fetch/report/sink.hpp"
#include "fetch/report/summary.hpp"
#include "fetch/run/reorder_window.hpp"
#include "fetch/run/scheduler.hpp"
#include "fetch/stats/run_stats.hpp"

namespace fetch {

namespace {

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
bool raise_descriptor_limit(unsigned concurrency, bool saving) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return true;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  // Each fetch holds one socket (and with --output-dir a file); the pool keeps idle ones
  // besides; DNS and stdio need a few.
  const rlim_t per_fetch = 1 + Runtime::kIdleConnectionsPerWorker + (saving ? 1 : 0);
  const rlim_t needed = per_fetch * static_cast<rlim_t>(concurrency) + 32;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < kMinimumDescriptors) {
    print_error(
        fmt::format("only {} file descriptors available (ulimit -n); fetch needs at least {}",
                    limit.rlim_cur, kMinimumDescriptors));
    return false;
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
    print_error(fmt::format("warning: only {} file descriptors available, -j {} may need {}",
                            limit.rlim_cur, concurrency, needed));
  }
  return true;
}

// Parses the command line into `options`; an exit status when the program should end now
// (help, version, or a usage error, already printed).
std::optional<int> parse_command_line(int argc, char** argv, Options& options) {
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
  if (options.ordered && options.bench.duration_s) {
    // A pass cut by --duration leaves lines unfetched: the window would wait for them.
    print_error("--ordered cannot be combined with --duration (-z)");
    return kExitUsage;
  }
  if (options.head && !options.data.empty()) {
    print_error("-I (HEAD) cannot send a body (-d, --data-raw, --data-binary, --json)");
    return kExitUsage;
  }
  const bool stdin_is_body = body_reads_stdin(options);
  if (stdin_is_body &&
      std::find(options.inputs.begin(), options.inputs.end(), "-") != options.inputs.end()) {
    print_error("standard input cannot be both the body (@-) and the list of URLs (-)");
    return kExitUsage;
  }
  if (options.inputs.empty() && options.bench.merge.empty()) {
    if (stdin_is_body) {
      print_error("no input: standard input is the body (@-); give URLs or a file of URLs");
      return kExitUsage;
    }
    if (is_terminal(STDIN_FILENO)) {
      print_error("no input: give a file of URLs, URLs, or pipe URLs on stdin (see --help)");
      return kExitUsage;
    }
    options.inputs.push_back("-");
  }
  return std::nullopt;
}

RuntimeConfig runtime_config(const Options& options) {
  using std::chrono::duration;
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  RuntimeConfig config;
  config.concurrency = options.concurrency;
  config.parallel_max_host = options.parallel_max_host;
  config.tls = TlsSettings{!options.insecure, options.cacert, options.http2};
  config.tls_session_reuse = !options.no_session_reuse;
  config.dns = DnsSettings{.servers = options.dns_servers};
  config.client.connect_timeout =
      duration_cast<milliseconds>(duration<double>(options.connect_timeout_s));
  config.client.max_time = duration_cast<milliseconds>(duration<double>(options.max_time_s));
  config.client.max_redirects = options.max_redirects;
  config.client.max_filesize = options.max_filesize;
  config.client.decode = options.compressed;
  config.client.retry = RetrySettings{
      options.retry, duration_cast<milliseconds>(duration<double>(options.retry_delay_s)),
      duration_cast<milliseconds>(duration<double>(options.retry_max_time_s)),
      options.retry_all_errors};
  config.request = build_request(request_options(options));  // may read files: SetupError
  for (const std::string& entry : options.resolve) {
    config.resolve.push_back(std::get<ResolveOverride>(parse_resolve_override(entry)));
  }
  RouteSettings routes{options.proxy, options.noproxy, {}};
  for (const std::string& rule : options.connect_to) {
    routes.connect_to.push_back(std::get<ConnectTo>(parse_connect_to(rule)));
  }
  try {
    config.routes = Routes{routes, [](const char* name) { return std::getenv(name); }};
  } catch (const std::invalid_argument& error) {  // a proxy variable fetch cannot use
    throw SetupError(error.what());
  }
  return config;
}

// Files and "-" are read in order; URL arguments form one source of their own. A shard takes
// its lines only; several passes replay the list from memory.
std::unique_ptr<LineSource> open_inputs(const asio::any_io_executor& executor,
                                        const std::vector<std::string>& inputs,
                                        const BenchOptions& bench) {
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
  std::unique_ptr<LineSource> source = concat_sources(std::move(sources));
  if (bench.shard) source = make_shard_filter(std::move(source), *bench.shard);
  if (run_plan(bench).repeats()) source = make_replay_source(std::move(source));
  return source;
}

// --output-dir, opened once. Several inputs repeat line numbers, so their files are numbered
// apart. Throws std::system_error when it is no directory we can open.
std::unique_ptr<OutputDir> open_output_dir(const Options& options) {
  if (options.output_dir.empty()) return nullptr;
  const auto urls = std::count_if(options.inputs.begin(), options.inputs.end(),
                                  [](const std::string& input) { return looks_like_url(input); });
  const auto sources = static_cast<std::size_t>(options.inputs.size()) -
                       static_cast<std::size_t>(urls) + (urls > 0 ? 1 : 0);
  return std::make_unique<OutputDir>(options.output_dir, sources > 1);
}

asio::awaitable<void> run_and_join(Scheduler& scheduler, asio::signal_set& signals) {
  co_await scheduler.run();
  signals.cancel();
}

// How the run ended, for the exit status.
struct Ending {
  std::exception_ptr failure;  // a bug
  int signal = 0;              // SIGINT or SIGTERM stopped it
};

// Runs every input line through the scheduler until done or stopped by a signal.
Ending run_to_end(Runtime& runtime, Scheduler& scheduler, Summary& summary) {
  Ending ending;
  runtime.signals().async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (!ec) {
      ending.signal = signal_number;
      scheduler.stop();
    }
  });
  const auto started = Clock::now();
  asio::co_spawn(runtime.io(), run_and_join(scheduler, runtime.signals()),
                 [&](std::exception_ptr error) {
                   ending.failure = error;
                   runtime.io().stop();  // DNS lookups still pending must not hold us up
                 });
  runtime.io().run();
  summary.elapsed_s = std::chrono::duration<double>(Clock::now() - started).count();
  summary.interrupted = ending.signal != 0;
  return ending;
}

int exit_status(const Ending& ending, const Scheduler& scheduler, Sink& sink,
                const Summary& summary) {
  if (ending.failure) {
    try {
      std::rethrow_exception(ending.failure);
    } catch (const std::exception& error) {
      print_error(fmt::format("internal error: {}", error.what()));
    }
    return kExitSoftware;
  }
  if (sink.closed()) {
    return kExitBrokenPipe;  // the reader went away: stop quietly, as SIGPIPE would
  }
  sink.on_finish();
  if (!scheduler.input_error().empty()) {
    print_error("error reading input: " + scheduler.input_error());
    return kExitUsage;
  }
  if (ending.signal == SIGINT) {
    return kExitInterrupted;
  }
  if (ending.signal == SIGTERM) {
    return kExitTerminated;
  }
  return summary.failed == 0 ? kExitOk : kExitSomeFailed;
}

// The console sink; with an export on stdout, the records go nowhere instead. The progress
// line's total is counted up front when the inputs tell it cheaply, for a single pass.
std::unique_ptr<Sink> console_sink(const Options& options, Summary& summary, bool records_elsewhere,
                                   const asio::any_io_executor& executor) {
  const OutputChoice choice =
      choose_output(options.output_preferences(), is_terminal(STDOUT_FILENO),
                    is_terminal(STDERR_FILENO), no_colour_requested());
  if (choice.progress && !run_plan(options.bench).repeats()) {
    summary.expected = count_records(options.inputs).value_or(0);
  }
  ConsoleExtras extras{options.write_out, executor};
  if (!records_elsewhere) return make_console_sink(choice, options.quiet, summary, extras);
  static const int null_device = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  return make_console_sink(choice, options.quiet, summary, extras, null_device, STDERR_FILENO);
}

int run(int argc, char** argv) {
  // A closed stdout or socket must come back as EPIPE, not kill us mid-line.
  std::signal(SIGPIPE, SIG_IGN);
  Options options;
  if (const std::optional<int> done = parse_command_line(argc, argv, options)) {
    return *done;
  }
  // The baseline is read and the exports opened before anything is fetched.
  std::unique_ptr<BenchOutputs> bench;
  if (options.bench.keeps_statistics()) {
    auto opened = BenchOutputs::open(options.bench);
    if (auto* reason = std::get_if<std::string>(&opened)) {
      print_error(*reason);
      return kExitUsage;
    }
    bench = std::move(std::get<std::unique_ptr<BenchOutputs>>(opened));
  }
  if (!options.bench.merge.empty()) {
    return run_merge(options, *bench);
  }
  // Checked before anything opens a descriptor (asio's epoll, the signal pipe).
  if (!raise_descriptor_limit(options.concurrency, !options.output_dir.empty())) {
    return kExitUsage;
  }
  // Before the runtime: the fetches a signal abandons still hold files in it until then.
  std::unique_ptr<OutputDir> output_dir;
  std::optional<Runtime> runtime;
  std::unique_ptr<LineSource> source;
  try {
    output_dir = open_output_dir(options);
  } catch (const std::system_error& error) {
    print_error(fmt::format("--output-dir: {}", error.what()));
    return kExitUsage;
  }
  try {
    runtime.emplace(runtime_config(options));
  } catch (const SetupError& error) {  // a bad --cacert or --dns-servers, an unreadable body
    print_error(error.what());
    return kExitUsage;
  }
  try {
    source = open_inputs(runtime->io().get_executor(), options.inputs, options.bench);
  } catch (const std::system_error& error) {  // an input file that cannot be opened
    print_error(error.what());
    return kExitUsage;
  }
  runtime->session().output_dir = output_dir.get();
  if (options.insecure) {
    print_error("warning: --insecure: TLS certificates and host names are NOT verified");
  }

  Summary summary;
  std::unique_ptr<stats::RunStats> statistics;
  if (bench) {
    statistics = std::make_unique<stats::RunStats>();
    summary.stats = statistics.get();
  }
  std::unique_ptr<Sink> sink =
      console_sink(options, summary, bench && bench->uses_stdout(), runtime->io().get_executor());
  RunPlan plan = run_plan(options.bench);
  if (options.ordered) plan.order_window = ReorderWindow::size_for(options.concurrency);
  Scheduler scheduler{runtime->session(), *source, *sink, summary, options.concurrency, plan};
  if (options.bench.cold) {
    scheduler.on_between_passes([&runtime] { runtime->close_idle_connections(); });
  }
  const Ending ending = run_to_end(*runtime, scheduler, summary);
  const int status = exit_status(ending, scheduler, *sink, summary);
  if (!bench) return status;
  RunConfig config = run_config(options);
  config.interrupted = summary.interrupted;
  const int verdict = bench->finish(options, config, *statistics, status);
  // Freeing a block per URL one by one costs more than the run's statistics did; the kernel
  // takes the memory back at exit. (Still reachable from here: no leak report.)
  static stats::RunStats* const kept_until_exit = statistics.release();
  (void)kept_until_exit;
  return verdict;
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
