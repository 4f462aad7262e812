"""Finishes the generated Python SDK so it packages cleanly (run by gen.sh).

Pulumi's Python generator (the pinned version, tools/pulumi/VERSION) writes a pyproject.toml that
- names `readme = "README.md"` next to it, but writes the README only inside
  the package directory (`pulumi_awsecr/README.md`), so the wheel and sdist
  carry no description and setuptools warns that the file is missing;
- gives the license as a TOML table (`[project.license] text = ...`), a form
  setuptools deprecates in favour of an SPDX expression string (PEP 639).

This puts the package README next to pyproject.toml and writes the license as
`license = "<SPDX expression>"`, raising the build requirement to the
setuptools that reads that form (77.0). Each fix checks the generated text has
the shape it expects and fails otherwise, so a Pulumi upgrade that changes it
is noticed rather than silently half-fixed.

    python3 sdk-gen/python-packaging.py <sdk/python directory> <package name>
"""

import re
import shutil
import sys
import tomllib
from pathlib import Path

SETUPTOOLS = "setuptools>=77.0"


def fail(message: str) -> None:
    sys.exit(f"python-packaging: {message}")


def main() -> None:
    if len(sys.argv) != 3:
        fail("usage: python-packaging.py <sdk/python directory> <package name>")
    sdk, package = Path(sys.argv[1]), sys.argv[2]
    pyproject = sdk / "pyproject.toml"
    text = pyproject.read_text()

    # The README the generator wrote into the package, next to pyproject.toml.
    if 'readme = "README.md"' not in text:
        fail(f"{pyproject} no longer names README.md; check what the generator writes")
    readme = sdk / package / "README.md"
    if not readme.is_file():
        fail(f"{readme} is missing")
    shutil.copyfile(readme, sdk / "README.md")

    # The license table as an SPDX expression string.
    table = re.compile(r'^([ \t]*)\[project\.license\]\n[ \t]*text = "([^"]+)"\n', re.MULTILINE)
    m = table.search(text)
    if m is None:
        fail(f"{pyproject} has no [project.license] table with text; check what the generator writes")
    indent, spdx = m.group(1), m.group(2)
    text = table.sub("", text, count=1)
    text, n = re.subn(
        r'^[ \t]*readme = "README.md"\n', rf'\g<0>{indent}license = "{spdx}"\n', text, count=1, flags=re.MULTILINE
    )
    if n != 1:
        fail(f"{pyproject}: could not place the license")
    text, n = re.subn(r'"setuptools>=61\.0"', f'"{SETUPTOOLS}"', text, count=1)
    if n != 1:
        fail(f"{pyproject}: the build requirement is no longer setuptools>=61.0; check what the generator writes")
    pyproject.write_text(text)

    # What a build reads must be what was meant.
    project = tomllib.loads(text)["project"]
    if project.get("license") != spdx or project.get("readme") != "README.md":
        fail(f"{pyproject}: license or readme did not come out as meant: {project}")
    if tomllib.loads(text)["build-system"]["requires"] != [SETUPTOOLS]:
        fail(f"{pyproject}: build requirement did not come out as meant")


if __name__ == "__main__":
    main()
