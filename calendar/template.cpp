#include "calendar/template.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "text/strings.hpp"

namespace herald {

// The parsed form: text, variables and sections as a tree. Rendering walks
// it with no allocation beyond the output. (kainjow's mustache, tried first,
// built a hash map and a string stream per post and was most of preview's
// time on large calendars.)
struct template_node {
  enum class kind { text, variable, section, inverted };
  kind type;
  std::string text;  // literal text, or the variable / section name
  std::vector<template_node> children;
};

namespace {

struct open_section {
  std::string name;
  std::size_t offset;
  std::vector<template_node>* nodes;  // where the section's children go
};

// The values in reach: a record's inside its section, then the outer ones.
struct scope {
  const template_values& values;
  const scope* outer = nullptr;
};

// The value of `name`: the innermost scope first; within one, later entries win.
std::string_view find_string(const scope& values, std::string_view name) {
  for (const auto* s = &values; s; s = s->outer)
    for (auto it = s->values.strings.rbegin(); it != s->values.strings.rend(); ++it)
      if (it->first == name) return it->second;
  return {};
}

const std::span<const std::string_view>* find_list(const scope& values, std::string_view name) {
  for (const auto* s = &values; s; s = s->outer)
    for (const auto& [key, list] : s->values.lists)
      if (key == name) return &list;
  return nullptr;
}

const std::vector<template_values>* find_records(const scope& values, std::string_view name) {
  for (const auto* s = &values; s; s = s->outer)
    for (const auto& [key, records] : s->values.records)
      if (key == name) return records;
  return nullptr;
}

// Multiplication and addition that stop at the limit's next step instead of
// wrapping: a bound only needs to know it is past the limit.
std::size_t saturate(unsigned __int128 n) {
  constexpr std::size_t cap = std::size_t{1} << 62;
  return n > cap ? cap : static_cast<std::size_t>(n);
}

// `dot`: the longest value {{.}} can stand for here.
std::size_t bound_of(const std::vector<template_node>& nodes, const text_template::list_shapes& lists,
                     std::size_t longest, std::size_t dot) {
  std::size_t total = 0;
  for (const auto& node : nodes) {
    unsigned __int128 size = 0;
    switch (node.type) {
      case template_node::kind::text:
        size = node.text.size();
        break;
      case template_node::kind::variable:
        size = node.text == "." ? dot : longest;
        break;
      case template_node::kind::section:
        if (auto list = lists(node.text))
          size = static_cast<unsigned __int128>(list->items) * bound_of(node.children, lists, longest, list->longest);
        else
          size = bound_of(node.children, lists, longest, longest);
        break;
      case template_node::kind::inverted:
        size = bound_of(node.children, lists, longest, dot);
        break;
    }
    total = saturate(size + total);
  }
  return total;
}

// What a digest's list keeps free at its end: the note that says items were
// left out, and the template's text after the list.
constexpr std::size_t room_after_records = 1024;

// A digest's items, each whole: the list's length is known only when the
// post is planned, so the load cannot bound it (docs/calendar.md "Digests").
// The item that would pass the limit is taken back, and a line says how
// many were left out.
// `unlisted` counts the items left out.
void render_records(const std::vector<template_node>& children, const std::vector<template_values>& records,
                    const scope& values, std::string_view dot, std::string& out, std::size_t& unlisted);

// Past the limit, nothing more is appended: the load refused templates that
// could get there, so this is the last guard, not the check.
void render_nodes(const std::vector<template_node>& nodes, const scope& values, std::string_view dot, std::string& out,
                  std::size_t& unlisted) {
  for (const auto& node : nodes) {
    if (out.size() > text_template::max_rendered_bytes) return;
    switch (node.type) {
      case template_node::kind::text:
        out += node.text;
        break;
      case template_node::kind::variable:
        out += node.text == "." ? dot : find_string(values, node.text);
        break;
      case template_node::kind::section:
        if (const auto* records = find_records(values, node.text)) {
          render_records(node.children, *records, values, dot, out, unlisted);
        } else if (const auto* list = find_list(values, node.text)) {
          for (const auto& item : *list) render_nodes(node.children, values, item, out, unlisted);
        } else if (auto value = find_string(values, node.text); !value.empty()) {
          render_nodes(node.children, values, value, out, unlisted);
        }
        break;
      case template_node::kind::inverted: {
        const auto* records = find_records(values, node.text);
        const auto* list = find_list(values, node.text);
        bool empty = records ? records->empty() : list ? list->empty() : find_string(values, node.text).empty();
        if (empty) render_nodes(node.children, values, dot, out, unlisted);
        break;
      }
    }
  }
}

void render_records(const std::vector<template_node>& children, const std::vector<template_values>& records,
                    const scope& values, std::string_view dot, std::string& out, std::size_t& unlisted) {
  constexpr auto limit = text_template::max_rendered_bytes - room_after_records;
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto before = out.size();
    auto unlisted_before = unlisted;
    render_nodes(children, scope{records[i], &values}, dot, out, unlisted);
    if (out.size() <= limit) continue;
    out.resize(before);  // the item taken back, with whatever it counted
    unlisted = unlisted_before + (records.size() - i);
    out += fmt::format("\n… and {} more, not listed: a post holds at most {} KiB", records.size() - i,
                       text_template::max_rendered_bytes >> 10);
    return;
  }
}

}  // namespace

std::variant<text_template, parse_error> text_template::parse(std::string_view text) {
  text_template result;
  auto root = std::make_shared<std::vector<template_node>>();
  auto variables = std::make_shared<std::vector<template_variable>>();
  std::vector<open_section> sections;
  auto* nodes = root.get();
  std::size_t at = 0, literal_start = 0;
  auto add_text = [&](std::size_t end) {
    if (end > literal_start)
      nodes->push_back({template_node::kind::text, std::string(text.substr(literal_start, end - literal_start)), {}});
  };
  while ((at = text.find("{{", at)) != std::string_view::npos) {
    auto tag_start = at;
    bool triple = text.substr(at).starts_with("{{{");
    auto close_token = triple ? std::string_view("}}}") : std::string_view("}}");
    auto inner_start = at + (triple ? 3 : 2);
    auto close = text.find(close_token, inner_start);
    if (close == std::string_view::npos)
      return parse_error{fmt::format("unclosed tag '{}'", triple ? "{{{" : "{{"), tag_start,
                         "close it with " + std::string(close_token)};
    add_text(tag_start);
    at = literal_start = close + close_token.size();
    auto body = trim(text.substr(inner_start, close - inner_start));
    char sigil = triple || body.empty() ? '\0' : body.front();
    if (sigil == '!') continue;  // comment
    if (sigil == '>' || sigil == '=')
      return parse_error{
          sigil == '>' ? "partials ({{> …}}) are not supported" : "changing delimiters ({{= …=}}) is not supported",
          tag_start,
          {}};
    bool sigiled = sigil == '#' || sigil == '^' || sigil == '/' || sigil == '&';
    auto name = trim(sigiled ? body.substr(1) : body);
    if (name.empty()) return parse_error{"empty tag", tag_start, "write a variable name, e.g. {{title}}"};
    if (sigil == '/') {
      if (sections.empty()) return parse_error{fmt::format("'{{{{/{}}}}}' closes no section", name), tag_start, {}};
      if (sections.back().name != name)
        return parse_error{fmt::format("'{{{{/{}}}}}' closes section '{}'", name, sections.back().name), tag_start,
                           fmt::format("close it with {{{{/{}}}}}", sections.back().name)};
      nodes = sections.back().nodes;
      sections.pop_back();
      continue;
    }
    variables->push_back({std::string(name), static_cast<std::size_t>(name.data() - text.data()), !sections.empty()});
    if (sigil == '#' || sigil == '^') {
      nodes->push_back(
          {sigil == '#' ? template_node::kind::section : template_node::kind::inverted, std::string(name), {}});
      sections.push_back({std::string(name), tag_start, nodes});
      nodes = &nodes->back().children;
    } else {
      nodes->push_back({template_node::kind::variable, std::string(name), {}});
    }
  }
  if (!sections.empty())
    return parse_error{fmt::format("section '{}' is never closed", sections.back().name), sections.back().offset,
                       fmt::format("close it with {{{{/{}}}}}", sections.back().name)};
  add_text(text.size());
  result.text_ = std::make_shared<const std::string>(text);
  result.nodes_ = std::move(root);
  for (const auto& v : *variables)
    if (auto i = builtin_index(v.name); i < builtin_variables.size()) result.builtins_named_.set(i);
  result.variables_ = std::move(variables);
  return result;
}

const std::vector<template_variable>& text_template::variables() const {
  static const std::vector<template_variable> none;  // a default-constructed template
  return variables_ ? *variables_ : none;
}

std::string text_template::render(const template_values& values, std::size_t* unlisted) const {
  std::string out;
  out.reserve(text_->size() + 64);
  std::size_t left_out = 0;
  render_nodes(*nodes_, scope{values}, {}, out, left_out);
  if (unlisted) *unlisted = left_out;
  if (out.size() > max_rendered_bytes) {
    auto cut = max_rendered_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // a character's start
    out.resize(cut);
  }
  return out;
}

std::size_t text_template::size_bound(const list_shapes& lists, std::size_t longest) const {
  return bound_of(*nodes_, lists, longest, 0);
}

}  // namespace herald
