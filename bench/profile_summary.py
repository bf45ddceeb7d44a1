#!/usr/bin/env python3
"""Summarise the profiles that bench/profile writes.

    bench/profile_summary.py callgrind FILE   # where the instructions go
    bench/profile_summary.py massif FILE      # what is live at peak heap

callgrind: total instructions, the inclusive share of herald's phases
(fixed list below) and the exclusive share of each shared object.
massif: the peak snapshot's heap, split by allocation site: the container
or string that allocates and the first herald function above it.
"""

import collections
import re
import subprocess
import sys

PHASES = [
    ("read the file", "herald::read_text_file"),
    ("parse YAML into nodes (yaml-cpp + herald's handler)", "herald::yaml_document::read"),
    ("  of which yaml-cpp's parser", "YAML::Parser::HandleNextDocument"),
    ("  of which building events from nodes", "herald::load_calendar(std::basic_string_view<char, std::char_traits<char> >, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, herald::calendar_options const&)::{lambda(herald::yaml_ref)#1}::operator()"),
    ("resolve (campaigns, ids, checks)", "herald::resolve_calendar"),
    ("plan the window (occurrences, steps, keys)", "herald::plan_window"),
    ("  of which rendering posts", "herald::render_post"),
    ("sort posts", "herald::sort_posts"),
    ("write JSON (Boost.JSON)", "herald::write_preview_json"),
]

LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$")


def annotate(path, inclusive):
    out = subprocess.run(
        ["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}", "--threshold=100", "--auto=no", path],
        check=True, capture_output=True, text=True).stdout
    total, rows = 0, []
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        ir = int(m.group(1).replace(",", ""))
        if m.group(2).startswith("PROGRAM TOTALS"):
            total = ir
        else:
            rows.append((ir, m.group(2)))
    return total, rows


def function_of(entry):
    """'file:func(args) [obj]' -> 'func(args)'; '???:func [obj]' too."""
    entry = re.sub(r"\s+\[[^\]]*\]$", "", entry)
    entry = re.sub(r"'\d+$", "", entry)  # callgrind's recursion marks
    _, _, func = entry.partition(":") if not entry.startswith("???:") else ("", "", entry[4:])
    return func


def callgrind(path):
    total, rows = annotate(path, inclusive=True)
    print(f"instructions: {total:,}")
    best = collections.defaultdict(int)
    for ir, entry in rows:
        if "'" in entry.split("[")[0]:
            continue  # a recursive cycle's inner entry: counted in the outer one
        func = function_of(entry)
        for _, name in PHASES:
            if func == name or func.startswith(name + "(") or func.startswith(name + "["):
                best[name] = max(best[name], ir)
    print("inclusive share by phase:")
    for label, name in PHASES:
        if name in best:
            print(f"  {100 * best[name] / total:5.1f} %  {label}")
    total, rows = annotate(path, inclusive=False)
    by_obj = collections.defaultdict(int)
    for ir, entry in rows:
        m = re.search(r"\[([^\]]*)\]\s*$", entry)
        obj = m.group(1).rsplit("/", 1)[-1] if m else "herald (library headers inlined into it)"
        by_obj[obj] += ir
    print("exclusive share by object:")
    for obj, ir in sorted(by_obj.items(), key=lambda kv: -kv[1])[:6]:
        print(f"  {100 * ir / total:5.1f} %  {obj}")
    top = sorted(rows, reverse=True)[:5]
    print("top functions (exclusive):")
    for ir, entry in top:
        print(f"  {100 * ir / total:5.1f} %  {function_of(entry)[:110]}")


NODE = re.compile(r"^( *)n(\d+): (\d+) (.*)$")


def massif(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    start = next(i for i, l in enumerate(lines) if l == "heap_tree=peak")
    heap = int(next(l for l in reversed(lines[:start]) if l.startswith("mem_heap_B=")).split("=")[1])
    extra = int(next(l for l in reversed(lines[:start]) if l.startswith("mem_heap_extra_B=")).split("=")[1])
    # Parse the peak tree into (depth, bytes, desc) rows.
    nodes = []
    for line in lines[start + 1:]:
        m = NODE.match(line)
        if not m:
            break
        nodes.append((len(m.group(1)), int(m.group(3)), m.group(4)))
    sites = collections.defaultdict(int)
    i = 1
    while i < len(nodes):
        depth, size, desc = nodes[i]
        if depth != 1:
            i += 1
            continue
        chain = [desc]
        j = i + 1
        while j < len(nodes) and nodes[j][0] > 1:
            if nodes[j][0] == len(chain) + 1:  # follow the first (largest) child
                chain.append(nodes[j][2])
            j += 1
        sites[label(chain)] += size
        i = j
    print(f"peak heap: {heap / 2**20:.2f} MiB useful + {extra / 2**20:.2f} MiB allocator overhead")
    for site, size in sorted(sites.items(), key=lambda kv: -kv[1]):
        print(f"  {size / 2**20:6.2f} MiB  {100 * size / heap:5.1f} %  {site}")


CONTAINERS = [
    (r"hashtable|unordered_map", "hash table"),
    (r"deque<herald::(\w+)", "deque<{}>"),
    (r"_M_realloc_insert<herald::(\w+)>", "vector<{}>"),
    (r"_M_realloc_insert<unsigned int>", "vector<uint32_t>"),
    (r"vector<herald::(\w+)", "vector<{}>"),
    (r"basic_string|_M_create|_M_mutate", "string"),
]


def label(chain):
    """The leaf-most container frame and the first herald frame above it."""
    if chain[0].startswith("in ") and "places" in chain[0]:
        return "small sites below the threshold"
    what, where = "allocation", "?"
    for desc in chain:
        desc = desc.replace("(anonymous namespace)::", "")
        m = re.match(r"0x[0-9A-F]+: (herald::[\w:]+)", desc)
        if m:
            loc = re.search(r"\(([\w./-]+\.[ch]pp:\d+)\)$", desc)
            where = m.group(1) + (f" ({loc.group(1)})" if loc else "")
            break
        if what == "allocation":
            for pattern, name in CONTAINERS:
                found = re.search(pattern, desc.split(" (")[0] if "herald::" in desc else desc)
                if found:
                    what = name.format(*found.groups())
                    break
    return f"{what} in {where}"


def main(argv):
    if len(argv) != 3 or argv[1] not in ("callgrind", "massif"):
        print(__doc__, file=sys.stderr)
        return 2
    (callgrind if argv[1] == "callgrind" else massif)(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
