#include "fetch/report/summary.hpp"

namespace fetch {

void Summary::add(const Result& result) noexcept {
  ++count;
  if (result.ok()) {
    ++ok;
  } else {
    ++failed;
  }
  bytes += result.bytes;
}

double Summary::requests_per_second() const noexcept {
  if (elapsed_s <= 0) return 0;
  return static_cast<double>(count) / elapsed_s;
}

}  // namespace fetch
