#pragma once
// The program: parses arguments, runs the fetches, returns the exit status.

namespace fetch {

// Exit statuses (documented in the README).
inline constexpr int kExitOk = 0;             // every URL ok
inline constexpr int kExitSomeFailed = 1;     // at least one URL failed
inline constexpr int kExitUsage = 2;          // bad option, unreadable input file
inline constexpr int kExitInterrupted = 130;  // SIGINT (128 + 2)
inline constexpr int kExitTerminated = 143;   // SIGTERM (128 + 15)
inline constexpr int kExitBrokenPipe = 141;   // stdout's reader went away (128 + SIGPIPE)
inline constexpr int kExitSoftware = 70;      // internal error or a resource refused (EX_SOFTWARE)

int run_app(int argc, char** argv);

}  // namespace fetch
