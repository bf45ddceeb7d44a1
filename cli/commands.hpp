#pragma once
// The subcommands, each a function of its options and the CLI context.

#include <optional>
#include <string>
#include <vector>

#include "cli/cli.hpp"

namespace herald {

struct console_style;

/// How console channels print to context.out: JSON lines, or on a terminal
/// lines for a person, coloured as NO_COLOR allows, times in the host's zone
/// (docs/channels.md "By type"). Defined in run_command.cpp.
console_style console_style_of(cli_context& context);

/// `--config FILE | --calendar FILE`; the default config when neither.
struct source_options {
  std::string config;
  std::string calendar;
};

struct validate_options {
  source_options sources;
  bool strict = false;  ///< warnings fail too (exit 2)
};

struct preview_options {
  source_options sources;
  std::string from;  ///< YYYY-MM-DD; "" for today in the calendar's zone
  int days = 90;
  std::vector<std::string> events;
  std::vector<std::string> channels;
  std::string format = "text";
};

struct send_test_options {
  source_options sources;  ///< only `config` is used
  std::string channel;
  std::string event;  ///< "" for a sample post
  bool mark = false;  ///< prefix "[test] " to the subject and text
};

/// `herald skip|resend KEY… [--config FILE]`.
struct operator_key_options {
  std::string config;  ///< "" for the default config
  std::vector<std::string> keys;
};

/// `herald pause|resume --channel NAME [--config FILE]`.
struct operator_channel_options {
  std::string config;  ///< "" for the default config
  std::string channel;
};

struct run_options {
  std::string config;  ///< "" for the default config
  bool dry_run = false;
};

struct status_options {
  std::string config;  ///< "" for the default config
  std::string format = "text";
};

/// `herald journal copy --to postgresql [--config FILE]`.
struct journal_copy_options {
  std::string config;  ///< "" for the default config
  std::string to = "postgresql";
};

struct export_options {
  source_options sources;
  std::string from;  ///< YYYY-MM-DD; "" for the default window
  int days = 0;      ///< 0 for the default window's end
  std::vector<std::string> events;
  std::string format = "ics";
};

int preview_command(const preview_options& options, cli_context& context);
int validate_command(const validate_options& options, cli_context& context);
int send_test_command(const send_test_options& options, cli_context& context);
int run_command(const run_options& options, cli_context& context);
int status_command(const status_options& options, cli_context& context);
int export_command(const export_options& options, cli_context& context);
int skip_command(const operator_key_options& options, cli_context& context);
int resend_command(const operator_key_options& options, cli_context& context);
int pause_command(const operator_channel_options& options, cli_context& context);
int resume_command(const operator_channel_options& options, cli_context& context);
int journal_copy_command(const journal_copy_options& options, cli_context& context);

/// The config path: --config, else $HERALD_CONFIG, else /etc/herald/herald.yaml.
std::string default_config_path(const source_options& options, cli_context& context);

}  // namespace herald
