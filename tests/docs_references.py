#!/usr/bin/python3
"""Every `docs/NAME.md "Heading"` a source file cites names a heading that
exists in that page, and no file cites anything outside the repository's
docs (the product's design notes live outside it). Run by ctest."""
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(sys.argv[1])
files = subprocess.run(["git", "-C", str(root), "ls-files", "-co", "--exclude-standard"],
                       capture_output=True, text=True, check=True).stdout.split()
cite = re.compile(r'docs/([a-zA-Z_]+\.md),?\s+"([^"]+)"')
outside = re.compile(r'\b(SPEC\.md|DESIGN\.md|STYLE\.md|SPEC §)')
headings = {}
problems = []
for name in files:
    path = root / name
    if path.suffix not in (".cpp", ".hpp", ".py", ".md", ".txt", ".yaml", ".service", "") or not path.is_file():
        continue
    if name.startswith("build") or name == "tests/docs_references.py":
        continue
    text = path.read_text(errors="replace")
    for number, line in enumerate(text.splitlines(), 1):
        if outside.search(line):
            problems.append(f"{name}:{number}: cites a file outside the repository: {line.strip()}")
        for page, heading in cite.findall(line):
            if page not in headings:
                doc = root / "docs" / page
                headings[page] = ({h.strip("# `").lower() for h in doc.read_text().splitlines() if h.startswith("#")}
                                  if doc.exists() else None)
            if headings[page] is None:
                problems.append(f"{name}:{number}: docs/{page} does not exist")
            elif heading.strip("`").lower() not in headings[page]:
                problems.append(f"{name}:{number}: docs/{page} has no heading \"{heading}\"")
print("\n".join(problems))
sys.exit(1 if problems else 0)
