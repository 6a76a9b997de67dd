// The open model (--rate with --duration): requests start on a schedule, whether or not
// earlier ones finished, as a population of independent users would send them (wrk2, oha,
// k6's arrival-rate executors). At most -j are in flight; a start that is due while -j are
// still running is dropped and counted, never queued, so the rate offered stays the rate
// asked for. Latency is measured from the intended start (coordinated omission corrected), the
// service time from the actual one.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <map>
#include <system_error>
#include <variant>

#include "fetch/client/client.hpp"
#include "fetch/input/url.hpp"
#include "fetch/report/sink.hpp"
#include "fetch/report/summary.hpp"
#include "fetch/run/rate_limiter.hpp"
#include "fetch/run/scheduler.hpp"
#include "scheduler_state.hpp"

namespace fetch {
namespace {

// The URL as the records and statistics show it, for a request that never started.
std::string display_url(const InputLine& line) {
  if (!line.too_long) {
    const auto target = parse_target(line.text);
    if (const auto* parsed = std::get_if<Target>(&target)) return parsed->display;
  }
  return redact_credentials(line.text);
}

// Ends `pass` in the summary once it can: every request dispatched and finished, or no more
// dispatching and none of its requests left.
void end_if_done(OpenPasses& open, Summary& summary, std::uint64_t pass) {
  const auto at = open.passes.find(pass);
  if (at == open.passes.end() || at->second.outstanding > 0) return;
  const bool complete = at->second.dispatched == open.list_size;
  if (!complete && !open.dispatch_over) return;
  summary.end_pass(pass, std::chrono::duration<double>(Clock::now() - at->second.first_due).count(),
                   complete);
  open.passes.erase(at);
}

void dispatched(OpenPasses& open, Summary& summary, std::uint64_t pass, Clock::time_point due,
                bool started) {
  auto [at, fresh] = open.passes.try_emplace(pass);
  if (fresh) at->second.first_due = due;
  ++at->second.dispatched;
  if (started) ++at->second.outstanding;
  end_if_done(open, summary, pass);
}

void finished(OpenPasses& open, Summary& summary, std::uint64_t pass) {
  const auto at = open.passes.find(pass);
  if (at == open.passes.end()) return;
  --at->second.outstanding;
  end_if_done(open, summary, pass);
}

void dispatch_over(OpenPasses& open, Summary& summary) {
  open.dispatch_over = true;
  std::vector<std::uint64_t> begun;
  for (const auto& [pass, counts] : open.passes) begun.push_back(pass);
  for (std::uint64_t pass : begun) end_if_done(open, summary, pass);
}

}  // namespace

asio::awaitable<std::vector<InputLine>> Scheduler::read_all() {
  std::vector<InputLine> lines;
  while (!stopped_) {
    std::optional<InputLine> line;
    try {
      line = co_await source_.next();
    } catch (const std::system_error& error) {
      if (!stopped_) input_error_ = error.what();
    }
    if (!line) break;
    lines.push_back(std::move(*line));
  }
  co_return lines;
}

asio::awaitable<void> Scheduler::run_open() {
  // The schedule needs the list up front: request k fetches line k mod L.
  const std::vector<InputLine> lines = co_await read_all();
  if (stopped_ || !input_error_.empty() || lines.empty()) co_return;
  // Warm-up passes run closed: they warm connections, they are not part of the schedule.
  for (unsigned pass = 0; pass < plan_.warmup && !stopped_; ++pass) {
    if (between_passes_ && pass > 0) between_passes_();
    if (!source_.rewind()) co_return;
    co_await run_pass(pass, false);
  }
  if (stopped_) co_return;
  if (between_passes_ && plan_.warmup > 0) between_passes_();

  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  State state{executor, concurrency_};
  state.open.list_size = lines.size();
  for (unsigned slot = concurrency_; slot > 0; --slot) state.free_slots.push_back(slot - 1);
  state_ = &state;
  counting_ = true;
  counted_since_ = Clock::now();
  state.running = 1;
  spawn(dispatch(state, lines), state.cancel_signals.back());
  co_await state.all_done.async_wait(use_tuple);
  state_ = nullptr;
  if (state.failure) std::rethrow_exception(state.failure);
}

asio::awaitable<void> Scheduler::dispatch(State& state, const std::vector<InputLine>& lines) {
  RateLimiter schedule{*plan_.rate, TokenBucket::kUnlimitedBurst};
  const std::uint64_t runs = plan_.runs.value_or(UINT64_MAX);
  std::optional<Clock::time_point> end;
  for (std::uint64_t k = 0; !stopped_; ++k) {
    const std::optional<Clock::time_point> due = co_await schedule.acquire();
    if (!due || stopped_) break;
    if (!end) end = *due + *plan_.duration;
    const std::uint64_t pass = k / lines.size();
    if (*due >= *end || pass >= runs) break;
    const InputLine& line = lines[k % lines.size()];
    if (state.free_slots.empty()) {
      // -j requests are still running: this start is lost, as a real client's would be.
      summary_.add_dropped(line.number, display_url(line), pass);
      dispatched(state.open, summary_, pass, *due, false);
      continue;
    }
    const unsigned slot = state.free_slots.back();
    state.free_slots.pop_back();
    dispatched(state.open, summary_, pass, *due, true);
    ++state.running;
    spawn(request(line, pass, *due, slot), state.cancel_signals[slot]);
  }
  // Passes whose requests were not all dispatched end incomplete, once their last one is done.
  dispatch_over(state.open, summary_);
}

asio::awaitable<void> Scheduler::request(InputLine line, std::uint64_t pass,
                                         Clock::time_point intended, unsigned slot) {
  const Clock::time_point started = Clock::now();
  ++summary_.in_flight;
  sink_.on_progress();
  Result result = co_await fetch_url(session_, std::move(line));
  --summary_.in_flight;
  if (stopped_) co_return;
  state_->free_slots.push_back(slot);
  if (!report(result, pass, milliseconds(intended, started))) co_return;
  finished(state_->open, summary_, pass);
}

}  // namespace fetch
