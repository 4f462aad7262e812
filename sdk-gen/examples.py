"""The examples in schema.json's descriptions, taken out to be checked.

Every resource and function description carries Pulumi's examples section:

    {{% examples %}}
    ## Example Usage
    {{% example %}}
    ### A title
    Some words.
    ```typescript ... ``` ```python ... ``` ```go ... ``` ```yaml ... ```
    {{% /example %}}
    {{% /examples %}}

The code generators keep the blocks of each SDK's language in its doc
comments; the registry page shows them all. A registry docs page (`docs/_index.md`)
holds one program per language the same way, in the registry's chooser.
check-examples.sh compiles the TypeScript and Go ones against sdk/, and this
script runs the Python ones against the Python SDK with Pulumi's mocks and
checks the YAML ones against the schema (types, property names, required
inputs, `${a.b}` references).

    python examples.py extract <schema.json> <dir> [<page.md>...]   # every example into <dir>/{ts,py,go,yaml}
    python examples.py yaml <schema.json> <dir>      # check <dir>/yaml/*.yaml
    python examples.py python <dir>                  # run <dir>/py/*.py with mocks
"""

import json
import re
import runpy
import sys
from pathlib import Path

LANGUAGES = {"typescript": "ts", "python": "py", "go": "go", "yaml": "yaml"}
EXAMPLES = re.compile(r"\{\{% examples %\}\}\n(.*?)\{\{% /examples %\}\}", re.DOTALL)
EXAMPLE = re.compile(r"\{\{% example %\}\}\n(.*?)\{\{% /example %\}\}", re.DOTALL)
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def fail(message: str) -> None:
    sys.exit(f"examples: {message}")


def described(schema: dict):
    """(token, description) of every resource and function."""
    for section in ("resources", "functions"):
        for token, spec in schema[section].items():
            yield token, spec.get("description", "")


def write(out_dir: Path, slug: str, blocks: list) -> None:
    for lang, code in blocks:
        ext = LANGUAGES[lang]
        path = out_dir / ext / (f"{slug}/main.go" if ext == "go" else f"{slug}.{ext}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code)


def extract(schema_path: str, out: str, *pages: str) -> None:
    schema = json.loads(Path(schema_path).read_text())
    out_dir = Path(out)
    count = 0
    for page in pages:
        blocks = [(lang, code) for lang, code in FENCE.findall(Path(page).read_text()) if lang in LANGUAGES]
        languages = [lang for lang, _ in blocks]
        if sorted(languages) != sorted(LANGUAGES):
            fail(f"{page} has {languages}, wanted one program each in {list(LANGUAGES)}")
        write(out_dir, "page_" + re.sub(r"\W", "_", Path(page).stem).strip("_"), blocks)
    for token, description in described(schema):
        sections = EXAMPLES.findall(description)
        if len(sections) != 1:
            fail(f"{token}: the description has {len(sections)} {{{{% examples %}}}} sections, not one")
        examples = EXAMPLE.findall(sections[0])
        if not examples:
            fail(f"{token}: the examples section holds no {{{{% example %}}}}")
        for n, example in enumerate(examples, 1):
            title = next((line for line in example.splitlines() if line.startswith("### ")), None)
            if title is None:
                fail(f"{token}: example {n} has no ### title")
            blocks = FENCE.findall(example)
            languages = [lang for lang, _ in blocks]
            if sorted(languages) != sorted(LANGUAGES):
                fail(f"{token}: example {n} ({title[4:]}) has {languages}, wanted one each of {list(LANGUAGES)}")
            write(out_dir, f"{token.rsplit(':', 1)[1]}_{n}", blocks)
            count += 1
    described_count = len(schema["resources"]) + len(schema["functions"])
    print(f"examples: {count} examples of {described_count} resources and functions and {len(pages)} pages, in 4 languages each")


# ------------------------------------------------------------------ YAML


class YamlChecker:
    """Checks a Pulumi YAML program against the schema without running it."""

    def __init__(self, schema: dict, name: str):
        self.schema, self.name, self.problems = schema, name, []

    def problem(self, where: str, what: str) -> None:
        self.problems.append(f"{self.name}: {where}: {what}")

    def type_of(self, spec: dict) -> dict:
        ref = spec.get("$ref", "")
        return self.schema["types"][ref.removeprefix("#/types/")] if ref.startswith("#/types/") else spec

    def value(self, where: str, spec: dict, value) -> None:
        if isinstance(value, str) and "${" in value:
            return  # an interpolation: checked with the references
        spec = self.type_of(spec)
        kind = spec.get("type")
        if "enum" in spec:
            allowed = [e["value"] for e in spec["enum"]]
            if value not in allowed:
                self.problem(where, f"{value!r} is not one of {allowed}")
        elif kind == "object" and "properties" in spec:
            self.object(where, spec["properties"], spec.get("required", []), value)
        elif kind == "object":
            if not isinstance(value, dict):
                self.problem(where, "wants a map")
            else:
                for k, v in value.items():
                    self.value(f"{where}.{k}", spec.get("additionalProperties", {}), v)
        elif kind == "array":
            if not isinstance(value, list):
                self.problem(where, "wants a list")
            else:
                for i, v in enumerate(value):
                    self.value(f"{where}[{i}]", spec["items"], v)
        elif kind == "string" and not isinstance(value, str):
            self.problem(where, f"wants a string, got {value!r}")
        elif kind == "integer" and not (isinstance(value, int) and not isinstance(value, bool)):
            self.problem(where, f"wants an integer, got {value!r}")
        elif kind == "boolean" and not isinstance(value, bool):
            self.problem(where, f"wants a boolean, got {value!r}")

    def object(self, where: str, properties: dict, required: list, value) -> None:
        if not isinstance(value, dict):
            self.problem(where, "wants an object")
            return
        for k, v in value.items():
            if k not in properties:
                self.problem(where, f"{k} is not one of {sorted(properties)}")
            else:
                self.value(f"{where}.{k}", properties[k], v)
        for k in required:
            if k not in value:
                self.problem(where, f"{k} is required")

    def check(self, program: dict) -> list:
        outputs_of = {}
        for name, resource in (program.get("resources") or {}).items():
            token = resource.get("type", "")
            spec = self.schema["resources"].get(token)
            if spec is None:
                self.problem(f"resources.{name}", f"no resource type {token}")
                continue
            self.object(
                f"resources.{name}.properties",
                spec.get("inputProperties", {}),
                spec.get("requiredInputs", []),
                resource.get("properties") or {},
            )
            outputs_of[name] = set(spec.get("properties", {}))
        for name, variable in (program.get("variables") or {}).items():
            invoke = variable.get("fn::invoke") if isinstance(variable, dict) else None
            if invoke is None:
                continue
            token = invoke.get("function", "")
            spec = self.schema["functions"].get(token)
            if spec is None:
                self.problem(f"variables.{name}", f"no function {token}")
                continue
            inputs = spec.get("inputs", {})
            self.object(
                f"variables.{name}.arguments",
                inputs.get("properties", {}),
                inputs.get("required", []),
                invoke.get("arguments") or {},
            )
            outputs_of[name] = set(spec["outputs"]["properties"])
        for ref, prop in re.findall(r"\$\{(\w+)\.(\w+)\}", json.dumps(program)):
            if ref not in outputs_of:
                self.problem(f"${{{ref}.{prop}}}", f"{ref} is neither a resource nor an invoke of this program")
            elif prop not in outputs_of[ref]:
                self.problem(f"${{{ref}.{prop}}}", f"{ref} has no output {prop}")
        return self.problems


def check_yaml(schema_path: str, directory: str) -> None:
    import yaml

    schema = json.loads(Path(schema_path).read_text())
    problems, files = [], sorted(Path(directory, "yaml").glob("*.yaml"))
    for path in files:
        problems += YamlChecker(schema, path.stem).check(yaml.safe_load(path.read_text()))
    if problems:
        fail("YAML examples that do not fit the schema:\n  " + "\n  ".join(problems))
    print(f"examples: {len(files)} YAML programs fit the schema")


# ------------------------------------------------------------------ Python


def run_python(directory: str) -> None:
    """Runs each program against the Python SDK with Pulumi's mocks: an
    unknown module member, argument or enum member fails it."""
    import asyncio

    import pulumi
    from pulumi.runtime import stack

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            return [f"{args.name}-id", dict(args.inputs)]

        def call(self, args):
            return {}

    files = sorted(Path(directory, "py").glob("*.py"))
    for path in files:
        pulumi.runtime.set_mocks(Mocks(), project="examples", stack=path.stem, preview=False)
        try:
            runpy.run_path(str(path), run_name="__main__")
            asyncio.get_event_loop().run_until_complete(stack.wait_for_rpcs())
        except Exception as e:  # noqa: BLE001 - any failure of the program is the finding
            fail(f"Python example {path.stem}: {type(e).__name__}: {e}")
    print(f"examples: {len(files)} Python programs run against the SDK (mocks)")


if __name__ == "__main__":
    verb, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if verb == "extract" and len(args) >= 2:
        extract(*args)
    elif verb == "yaml" and len(args) == 2:
        check_yaml(*args)
    elif verb == "python" and len(args) == 1:
        run_python(*args)
    else:
        fail(__doc__.split("\n\n")[-1].strip())
