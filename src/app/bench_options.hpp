#pragma once
// The Benchmark group of options (bench_options.cpp), added by add_options(). Private to
// src/app/.

#include "fetch/app/options.hpp"

namespace fetch {

// Declares --runs, --warmup, --duration, --rate, --cold, the exports, --threshold, the
// baseline options, --shard and --merge on `app`, writing into `bench`.
void add_bench_options(CLI::App& app, BenchOptions& bench);

}  // namespace fetch
