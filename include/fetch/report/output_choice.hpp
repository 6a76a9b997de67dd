#pragma once
// What goes to stdout and stderr, decided once from the options and from where the two
// descriptors point.

namespace fetch {

enum class OutputFormat { automatic, text, tsv, json };
enum class ColourMode { automatic, always, never };

// What the user asked for (-f, --color, --no-progress, -q).
struct OutputPreferences {
  OutputFormat format = OutputFormat::automatic;
  ColourMode colour = ColourMode::automatic;
  bool progress = true;  // only ever drawn when stderr is a terminal
  bool quiet = false;    // no summary, no progress
};

// Resolves automatic format/colour against where stdout and stderr point.
//   format:   automatic -> text when stdout is a terminal, else tsv.
//   colour:   only ever for the text format; always -> on; never or NO_COLOR -> off;
//             automatic -> on when stdout is a terminal.
//   progress: stderr is a terminal, preferences.progress and not preferences.quiet.
struct OutputChoice {
  OutputFormat format;
  bool colour;
  bool progress;
};
OutputChoice choose_output(const OutputPreferences& preferences, bool stdout_is_tty,
                           bool stderr_is_tty, bool no_colour_env);

// True when the NO_COLOR environment variable is set to a non-empty value (no-color.org).
bool no_colour_requested() noexcept;

}  // namespace fetch
