#include "calendar/yaml_fields.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "text/civil.hpp"

namespace herald {

void diagnostics_collector::error(source_mark mark, std::string message, std::string hint) {
  add({file_, mark, std::move(message), std::move(hint)});
}

void diagnostics_collector::error(yaml_ref node, const parse_error& e) {
  add({file_, node.mark_at(e.offset), e.message, e.hint});
}

void diagnostics_collector::warning(source_mark mark, std::string message, std::string hint) {
  if (warnings_.size() < max_errors)
    warnings_.push_back({file_, mark, std::move(message), std::move(hint), true, severity::warning});
}

void diagnostics_collector::append(diagnostics_collector&& other) {
  for (auto& d : other.errors_) add(std::move(d));
  for (auto& d : other.warnings_)
    if (warnings_.size() < max_errors) warnings_.push_back(std::move(d));
  hidden_lines_.insert(hidden_lines_.end(), other.hidden_lines_.begin(), other.hidden_lines_.end());
}

namespace {

// Events are checked as they stream past and the rest at the end; people
// read errors top to bottom.
std::vector<diagnostic> in_file_order(std::vector<diagnostic>& found, const std::vector<int>& hidden_lines) {
  std::stable_sort(found.begin(), found.end(), [](const diagnostic& a, const diagnostic& b) {
    return a.mark.line != b.mark.line ? a.mark.line < b.mark.line : a.mark.col < b.mark.col;
  });
  for (auto& d : found)
    if (std::find(hidden_lines.begin(), hidden_lines.end(), d.mark.line) != hidden_lines.end()) {
      d.quote_source = false;
      if (!d.hint_without_source.empty()) d.hint = d.hint_without_source;
    }
  return std::move(found);
}

}  // namespace

std::vector<diagnostic> diagnostics_collector::take() { return in_file_order(errors_, hidden_lines_); }

std::vector<diagnostic> diagnostics_collector::take_warnings() { return in_file_order(warnings_, hidden_lines_); }

void diagnostics_collector::add(diagnostic d) {
  if (!full()) errors_.push_back(std::move(d));
}

namespace {

// check_keys, naming an unknown key only when `named` says so; null: any.
bool check_keys_naming(yaml_ref node, std::string_view what, std::span<const std::string_view> allowed,
                       const std::vector<std::string_view>* named, diagnostics_collector& out) {
  if (!node.is_mapping()) {
    out.error(node.mark(), fmt::format("{} must be a mapping of keys to values, not {}", what, node.type_name()));
    return false;
  }
  for (auto& [key, value] : node.entries()) {
    auto name = key.scalar();
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    std::vector<std::string_view> candidates(allowed.begin(), allowed.end());
    std::string keys;
    for (auto k : allowed) keys += (keys.empty() ? "" : ", ") + std::string(k);
    if (named && closest_spelling(name, *named).empty()) {
      out.error(key.mark(), fmt::format("an unknown key in {} (not repeated here: it may be a secret)", what),
                fmt::format("known keys: {}", keys));
      continue;
    }
    // Edits only: "password hunter2" begins with a key but is no misspelling.
    auto misspelt = named ? closest_spelling(name, candidates) : closest_match(name, candidates);
    auto suggestion = misspelt.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", misspelt);
    out.error(key.mark(), fmt::format("unknown key '{}' in {}{}", name, what, suggestion),
              suggestion.empty() ? fmt::format("known keys: {}", keys) : std::string());
  }
  return true;
}

}  // namespace

bool check_keys(yaml_ref node, std::string_view what, std::span<const std::string_view> allowed,
                diagnostics_collector& out) {
  return check_keys_naming(node, what, allowed, nullptr, out);
}

bool check_keys_unnamed(yaml_ref node, std::string_view what, std::span<const std::string_view> allowed,
                        std::span<const std::string_view> known, diagnostics_collector& out) {
  std::vector<std::string_view> named(known.begin(), known.end());
  named.insert(named.end(), allowed.begin(), allowed.end());
  return check_keys_naming(node, what, allowed, &named, out);
}

namespace {

// require_keys; `edits_only`: a key that merely begins with a required one
// is not taken for its misspelling.
void require_keys_matching(yaml_ref node, std::string_view what, std::span<const required_key> required,
                           bool edits_only, diagnostics_collector& out) {
  if (!node.is_mapping()) return;
  auto entries = node.entries();
  for (const auto& key : required) {
    if (node.find(key.name)) continue;
    // "mesage:" was reported as a typo of "message"; saying it is missing too is noise.
    bool typo = std::any_of(entries.begin(), entries.end(), [&](auto& entry) {
      auto name = entry.first.scalar();
      auto match = edits_only ? closest_spelling(name, {key.name}) : closest_match(name, {key.name});
      return match == key.name;
    });
    if (!typo) out.error(node.mark(), fmt::format("{} has no '{}'", what, key.name), std::string(key.hint));
  }
}

}  // namespace

void require_keys(yaml_ref node, std::string_view what, std::span<const required_key> required,
                  diagnostics_collector& out) {
  require_keys_matching(node, what, required, false, out);
}

void require_keys_unnamed(yaml_ref node, std::string_view what, std::span<const required_key> required,
                          diagnostics_collector& out) {
  require_keys_matching(node, what, required, true, out);
}

std::optional<std::string_view> read_scalar(yaml_ref node, std::string_view what, diagnostics_collector& out) {
  if (node.is_scalar()) return node.scalar();
  if (node.is_null()) {
    out.error(node.mark(), fmt::format("{} has no value", what));
    return std::nullopt;
  }
  out.error(node.mark(), fmt::format("{} must be a single value, not {}", what, node.type_name()));
  return std::nullopt;
}

std::vector<yaml_ref> read_list(yaml_ref node, std::string_view what, diagnostics_collector& out) {
  if (node.is_sequence()) return node.items();
  if (node.is_null()) {
    out.error(node.mark(), fmt::format("{} has no value", what), "give a list, e.g. [a, b], or remove the key");
    return {};
  }
  if (node.is_scalar()) return {node};
  out.error(node.mark(), fmt::format("{} must be a list, not {}", what, node.type_name()));
  return {};
}

std::variant<date::local_days, parse_error> parse_date_value(std::string_view text) {
  if (auto day = parse_iso_date(text)) return *day;
  return parse_error{fmt::format("invalid date '{}'", text), 0, "write dates as YYYY-MM-DD, e.g. 2027-06-23"};
}

}  // namespace herald
