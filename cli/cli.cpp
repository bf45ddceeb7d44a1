#include "cli/cli.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <iostream>
#include <ostream>

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include "calendar/diagnostic.hpp"
#include "cli/commands.hpp"
#include "text/one_line.hpp"
#include "text/terminal.hpp"

namespace herald {
namespace {

void add_source_options(CLI::App& command, source_options& sources) {
  auto* config = command.add_option("--config", sources.config,
                                    "herald.yaml (default: $HERALD_CONFIG, else /etc/herald/herald.yaml)");
  auto* calendar = command.add_option("--calendar", sources.calendar, "a calendar file alone, without a config");
  config->excludes(calendar);
}

constexpr std::string_view default_config = "/etc/herald/herald.yaml";

// `herald validate calendar.yaml`: a file given without its option. The
// name says which: herald.yaml is a config, anything else a calendar.
std::string file_without_option(int argc, const char* const* argv) {
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i], before = argv[i - 1];
    if (arg.starts_with("-") || before == "--config" || before == "--calendar") continue;
    if (!arg.ends_with(".yaml") && !arg.ends_with(".yml")) continue;
    std::string_view command = argv[1];
    bool config = std::filesystem::path(arg).stem().string().starts_with("herald") || command == "run" ||
                  command == "status" || command == "send-test";
    return fmt::format("'{} {}'", config ? "--config" : "--calendar", arg);
  }
  return {};
}

// A first try on a machine without the service's config: point at
// --calendar rather than say only that /etc/herald/herald.yaml is missing.
bool report_missing_default_config(const source_options& sources, std::string_view command, cli_context& context) {
  if (!sources.config.empty() || !sources.calendar.empty() || default_config_path(sources, context) != default_config ||
      std::filesystem::exists(default_config))
    return false;
  context.err << fmt::format(
      "herald: error: no config at {} and no --calendar\n"
      "  hint: to try a calendar alone: herald {} --calendar calendar.yaml; or name a config with --config FILE\n",
      default_config, command);
  return true;
}

}  // namespace

int run_cli(int argc, const char* const* argv, cli_context& context) {
  CLI::App app{"herald keeps an inclusion calendar and posts its campaigns.", "herald"};
  app.set_version_flag("--version", std::string("herald ") + HERALD_VERSION);
  app.require_subcommand(1);

  preview_options preview;
  auto* preview_cmd = app.add_subcommand("preview", "show the occurrences and posts of the coming days");
  add_source_options(*preview_cmd, preview.sources);
  preview_cmd->add_option("--from", preview.from, "first date, YYYY-MM-DD (default: today in the calendar's zone)");
  preview_cmd->add_option("--days", preview.days, "number of days (default: 90)")->check(CLI::Range(1, 3660));
  preview_cmd->add_option("--event", preview.events, "only this event (repeatable)");
  preview_cmd->add_option("--channel", preview.channels, "only this channel (repeatable)");
  preview_cmd->add_option("--format", preview.format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));

  send_test_options send_test;
  auto* send_test_cmd =
      app.add_subcommand("send-test", "send a post to one channel now, to check it works (records nothing)");
  send_test_cmd->add_option("--channel", send_test.channel, "the channel to try")->required();
  send_test_cmd->add_option("--event", send_test.event, "send this event's next post (default: a sample post)");
  send_test_cmd->add_option("--config", send_test.sources.config,
                            "herald.yaml (default: $HERALD_CONFIG, else /etc/herald/herald.yaml)");
  send_test_cmd->add_flag("--mark", send_test.mark,
                          "begin the subject and text with \"[test] \", so readers of a real channel can tell");

  run_options run;
  auto* run_cmd = app.add_subcommand("run", "run the daemon: post each campaign when it is due");
  run_cmd->add_option("--config", run.config, "herald.yaml (default: $HERALD_CONFIG, else /etc/herald/herald.yaml)");
  run_cmd->add_flag("--dry-run", run.dry_run, "do everything but contact channels (the journal is not changed)");

  status_options status;
  auto* status_cmd = app.add_subcommand("status", "show the next posts, recent sends, failures and missed posts");
  status_cmd->add_option("--config", status.config,
                         "herald.yaml (default: $HERALD_CONFIG, else /etc/herald/herald.yaml)");
  status_cmd->add_option("--format", status.format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));

  export_options export_opts;
  auto* export_cmd = app.add_subcommand("export", "write the occurrences as an iCalendar feed (or JSON)");
  add_source_options(*export_cmd, export_opts.sources);
  export_cmd->add_option("--from", export_opts.from, "first date, YYYY-MM-DD (default: a year ago today)");
  export_cmd->add_option("--days", export_opts.days, "number of days (default: through two years ahead)")
      ->check(CLI::Range(1, 3660));
  export_cmd->add_option("--event", export_opts.events, "only this event (repeatable)");
  export_cmd->add_option("--format", export_opts.format, "ics (default) or json")
      ->check(CLI::IsMember({"ics", "json"}));

  const char* config_help = "herald.yaml (default: $HERALD_CONFIG, else /etc/herald/herald.yaml)";
  operator_key_options skip, resend;
  auto* skip_cmd = app.add_subcommand("skip", "never send these posts (recorded as skipped)");
  skip_cmd->add_option("KEY", skip.keys, "post keys, as `herald status` and `herald preview` show them")->required();
  skip_cmd->add_option("--config", skip.config, config_help);
  auto* resend_cmd =
      app.add_subcommand("resend", "send failed, missed or skipped posts again, due now (never a sent one)");
  resend_cmd->add_option("KEY", resend.keys, "post keys, as `herald status` shows them")->required();
  resend_cmd->add_option("--config", resend.config, config_help);
  operator_channel_options pause, resume;
  auto* pause_cmd = app.add_subcommand("pause", "hold a channel's posts until it is resumed");
  pause_cmd->add_option("--channel", pause.channel, "the channel to pause")->required();
  pause_cmd->add_option("--config", pause.config, config_help);
  auto* resume_cmd = app.add_subcommand(
      "resume", "resume a paused channel: posts still within catch_up go out, older ones are recorded missed");
  resume_cmd->add_option("--channel", resume.channel, "the channel to resume")->required();
  resume_cmd->add_option("--config", resume.config, config_help);

  journal_copy_options journal_copy;
  auto* journal_cmd = app.add_subcommand("journal", "manage the journal: `herald journal copy --to postgresql`");
  journal_cmd->require_subcommand(1);
  auto* copy_cmd = journal_cmd->add_subcommand(
      "copy", "copy this host's SQLite journal into the shared PostgreSQL journal the config names");
  copy_cmd->add_option("--to", journal_copy.to, "where to: postgresql")
      ->required()
      ->check(CLI::IsMember({"postgresql"}));
  copy_cmd->add_option("--config", journal_copy.config, config_help);

  validate_options validate;
  auto* validate_cmd = app.add_subcommand("validate", "check a config and its calendars, or a calendar alone");
  add_source_options(*validate_cmd, validate.sources);
  validate_cmd->add_flag("--strict", validate.strict, "exit 2 on warnings too");

  // CLI11 would say "a subcommand is required" for a mistyped one.
  static constexpr std::array<std::string_view, 11> commands{
      "run", "preview", "validate", "status", "send-test", "export", "skip", "resend", "pause", "resume", "journal"};
  if (argc > 1 && argv[1][0] != '-' && std::find(commands.begin(), commands.end(), argv[1]) == commands.end()) {
    context.err
        << fmt::format("herald: error: unknown command '{}'{}\n", terminal_line(argv[1]),
                       did_you_mean(argv[1], {commands.begin(), commands.end()}))
        << "Commands: run, preview, validate, status, send-test, export, skip, resend, pause, resume, journal. Run "
           "'herald --help' for usage.\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    context.out << app.help();
    return 0;
  } catch (const CLI::CallForVersion&) {
    context.out << app.version() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // help of a subcommand
      context.out << (run_cmd->parsed()         ? run_cmd->help()
                      : status_cmd->parsed()    ? status_cmd->help()
                      : preview_cmd->parsed()   ? preview_cmd->help()
                      : validate_cmd->parsed()  ? validate_cmd->help()
                      : send_test_cmd->parsed() ? send_test_cmd->help()
                      : export_cmd->parsed()    ? export_cmd->help()
                      : skip_cmd->parsed()      ? skip_cmd->help()
                      : resend_cmd->parsed()    ? resend_cmd->help()
                      : pause_cmd->parsed()     ? pause_cmd->help()
                      : resume_cmd->parsed()    ? resume_cmd->help()
                      : copy_cmd->parsed()      ? copy_cmd->help()
                      : journal_cmd->parsed()   ? journal_cmd->help()
                                                : app.help());
      return 0;
    }
    auto file = dynamic_cast<const CLI::ExtrasError*>(&e) ? file_without_option(argc, argv) : std::string();
    context.err << "herald: error: " << terminal_line(e.what()) << (file.empty() ? "" : " (did you mean " + file + "?)")
                << "\n"
                << "Run 'herald --help' for usage.\n";
    return 2;
  }
  for (auto [command, sources] : {std::pair{preview_cmd, &preview.sources}, std::pair{validate_cmd, &validate.sources},
                                  std::pair{export_cmd, &export_opts.sources}})
    if (*command && report_missing_default_config(*sources, command->get_name(), context)) return 2;
  if (*run_cmd) return run_command(run, context);
  if (*status_cmd) return status_command(status, context);
  if (*preview_cmd) return preview_command(preview, context);
  if (*validate_cmd) return validate_command(validate, context);
  if (*send_test_cmd) return send_test_command(send_test, context);
  if (*export_cmd) return export_command(export_opts, context);
  if (*skip_cmd) return skip_command(skip, context);
  if (*resend_cmd) return resend_command(resend, context);
  if (*pause_cmd) return pause_command(pause, context);
  if (*resume_cmd) return resume_command(resume, context);
  if (*copy_cmd) return journal_copy_command(journal_copy, context);
  return 2;
}

int cli_main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  cli_context context{std::cout, std::cerr};
  context.out_is_terminal = is_terminal(STDOUT_FILENO);
  if (winsize size{}; context.out_is_terminal && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0)
    context.terminal_columns = size.ws_col;
  return run_cli(argc, argv, context);
}

std::string default_config_path(const source_options& options, cli_context& context) {
  if (!options.config.empty()) return options.config;
  if (const char* env = context.getenv("HERALD_CONFIG"); env && *env) return env;
  return std::string(default_config);
}

}  // namespace herald
