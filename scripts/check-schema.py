#!/usr/bin/env python3
"""Check schema/campaign.schema.json against the example campaigns and the schema-level fixtures.

    python3 scripts/check-schema.py [--salvo PATH_TO_SALVO_BINARY]

1. The schema must itself be a valid JSON Schema (draft 2020-12).
2. Every campaigns/**/*.yaml (and *.yml) must validate against it.
3. Every file under Tests/CampaignCompilerTests/Fixtures/invalid/ whose first line is exactly
   `# schema: reject` must be REJECTED by it. Fixtures without that marker hold mistakes only the
   Swift checker can see and are not read here.
4. Every file under Tests/CampaignCompilerTests/Fixtures/valid/ must be ACCEPTED by it: corner
   cases that both must read as valid (numbers written where Salvo reads text, say).
5. With --salvo, `salvo validate --no-recipients FILE` must exit 1 on each reject fixture and 0 on
   each valid one, and `salvo validate --strict FILE` must exit 0 on each example campaign, so the
   schema and the Swift checker cannot drift apart.

Prints one line per check (`ok` or `FAIL`) and a closing `N passed, N failed`; exits 1 on any
failure. Needs PyYAML and jsonschema.
"""

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema" / "campaign.schema.json"
CAMPAIGNS = ROOT / "campaigns"
FIXTURES = ROOT / "Tests" / "CampaignCompilerTests" / "Fixtures" / "invalid"
VALID = ROOT / "Tests" / "CampaignCompilerTests" / "Fixtures" / "valid"
REJECT_MARKER = "# schema: reject"


class CoreSchemaLoader(yaml.SafeLoader):
    """A SafeLoader that reads plain scalars with YAML 1.2's core schema, as Salvo and editors do.

    PyYAML implements YAML 1.1, whose implicit typing differs from the contract's YAML 1.2 core
    schema. Without this loader the check would see other values than Salvo does:
      - 1.1 timestamps: `start: 2027-03-01T09:00:00` would become a datetime, not a string;
      - 1.1 booleans: `yes`/`no`/`on`/`off` (and their capitalised forms) would become booleans;
        in the core schema only true/false/True/False/TRUE/FALSE are booleans;
      - 1.1 sexagesimal numbers: `09:00` would be an integer (or float), not a string;
      - 1.1 octal `0777`, binary `0b1`, underscores `1_000`: the core schema has none of them
        (`0086` is the decimal integer 86; octal is written `0o17`);
      - the 1.1 `=` value tag.
    So the inherited implicit resolvers are dropped and the core schema's are installed. Merge
    keys (`<<`) are kept, as libyaml-based readers commonly support them. Duplicate mapping keys
    are an error, as YAML 1.2 requires (PyYAML would silently keep the last one).
    """

    yaml_implicit_resolvers = {}  # not inherited: only the resolvers added below apply


def _add_resolver(tag, pattern, first):
    CoreSchemaLoader.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


# "" in the first-character list is how PyYAML looks up the empty plain scalar (null).
_add_resolver("tag:yaml.org,2002:null", r"^(?: ~ | null | Null | NULL | )$", ["~", "n", "N", ""])
_add_resolver("tag:yaml.org,2002:bool", r"^(?: true | True | TRUE | false | False | FALSE )$", "tTfF")
_add_resolver(
    "tag:yaml.org,2002:int",
    r"^(?: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ )$",
    "-+0123456789",
)
_add_resolver(
    "tag:yaml.org,2002:float",
    r"""^(?: [-+]? (?: \.[0-9]+ | [0-9]+ (?: \.[0-9]* )? ) (?: [eE][-+]?[0-9]+ )?
           | [-+]? \. (?: inf | Inf | INF )
           | \. (?: nan | NaN | NAN ) )$""",
    "-+0123456789.",
)
_add_resolver("tag:yaml.org,2002:merge", r"^(?:<<)$", "<")


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _construct_float(loader, node):
    text = loader.construct_scalar(node)
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)


def _construct_mapping(loader, node):
    # Look for duplicates among the mapping's own keys, before merge keys are flattened into it:
    # a key that overrides a merged one is not a duplicate.
    seen = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            continue  # PyYAML reports unhashable keys itself below
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                f"found duplicate key {key!r} (first defined at line {seen[key].line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark
    return loader.construct_mapping(node, deep=True)  # flattens merge keys


CoreSchemaLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
CoreSchemaLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
CoreSchemaLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def load_yaml(path):
    with open(path, encoding="utf-8") as stream:
        return yaml.load(stream, Loader=CoreSchemaLoader)


def json_path(error):
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)


def describe(error):
    return f"{json_path(error)}: {error.message}"


def rel(path):
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, label, detail=""):
        self.passed += 1
        print(f"ok    {label}" + (f"  ({detail})" if detail else ""))

    def fail(self, label, detail, more=()):
        self.failed += 1
        print(f"FAIL  {label}  {detail}")
        for line in more:
            print(f"        {line}")


def yaml_files(folder):
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()) if folder.is_dir() else []


def load_or_fail(path, tally):
    """The document at `path`, or None after recording why it could not be read."""
    try:
        return load_yaml(path), True
    except yaml.YAMLError as error:
        tally.fail(rel(path), "YAML error: " + " ".join(str(error).split()))
        return None, False


def check_campaigns(validator, tally):
    files = yaml_files(CAMPAIGNS)
    if not files:
        tally.fail(rel(CAMPAIGNS), "no campaign files found")
    for path in files:
        label = rel(path)
        document, loaded = load_or_fail(path, tally)
        if not loaded:
            continue
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        if errors:
            tally.fail(label, describe(errors[0]), [describe(e) for e in errors[1:]])
        else:
            tally.ok(label)
    return files


def reject_fixtures():
    if not FIXTURES.is_dir():
        return []
    marked = []
    for path in sorted(p for p in FIXTURES.rglob("*") if p.is_file()):
        with open(path, encoding="utf-8", errors="replace") as stream:
            first = stream.readline().rstrip("\r\n")
        if first == REJECT_MARKER:
            marked.append(path)
    return marked


def check_fixtures(validator, fixtures, tally):
    if not FIXTURES.is_dir():
        print(f"skip  {rel(FIXTURES)} does not exist")
    for path in fixtures:
        label = rel(path)
        try:
            document = load_yaml(path)
        except yaml.YAMLError as error:
            # A schema fixture must parse, or it proves nothing about the schema.
            tally.fail(label, "YAML error (a '# schema: reject' fixture must be valid YAML): "
                       + " ".join(str(error).split()))
            continue
        error = best_match(validator.iter_errors(document))
        if error is None:
            tally.fail(label, "the schema accepts this file, but it is marked '# schema: reject'")
        else:
            tally.ok(label, "rejected at " + describe(error))


def check_valid(validator, valid, tally):
    for path in valid:
        label = rel(path)
        document, loaded = load_or_fail(path, tally)
        if not loaded:
            continue
        error = best_match(validator.iter_errors(document))
        if error is None:
            tally.ok(label, "accepted")
        else:
            tally.fail(label, "the schema rejects a file Salvo must accept: " + describe(error))


def run_salvo(binary, arguments, path):
    try:
        return subprocess.run([binary, *arguments, str(path)], capture_output=True, text=True,
                              timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return error


def check_salvo(binary, campaigns, fixtures, valid, tally):
    for path, arguments, expected in (
        [(p, ["validate", "--no-recipients"], 1) for p in fixtures]
        + [(p, ["validate", "--no-recipients"], 0) for p in valid]
        + [(p, ["validate", "--strict"], 0) for p in campaigns]
    ):
        label = f"salvo {' '.join(arguments)} {rel(path)}"
        result = run_salvo(binary, arguments, path)
        if isinstance(result, Exception):
            tally.fail(label, f"could not run: {result}")
        elif result.returncode != expected:
            output = (result.stdout + result.stderr).strip().splitlines()
            tally.fail(label, f"exit {result.returncode}, expected {expected}", output[:10])
        else:
            tally.ok(label, f"exit {expected}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--salvo", metavar="PATH",
                        help="salvo binary: also check that it agrees with the schema")
    options = parser.parse_args()

    tally = Tally()
    with open(SCHEMA, encoding="utf-8") as stream:
        schema = json.load(stream)
    try:
        Draft202012Validator.check_schema(schema)
    except Exception as error:  # jsonschema.exceptions.SchemaError
        tally.fail(rel(SCHEMA), "not a valid draft 2020-12 schema: " + str(error).splitlines()[0])
        print(f"{tally.passed} passed, {tally.failed} failed")
        return 1
    tally.ok(rel(SCHEMA), "valid draft 2020-12 schema")
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)

    campaigns = check_campaigns(validator, tally)
    fixtures = reject_fixtures()
    check_fixtures(validator, fixtures, tally)
    valid = yaml_files(VALID)
    check_valid(validator, valid, tally)

    if options.salvo:
        check_salvo(options.salvo, campaigns, fixtures, valid, tally)
    else:
        print("skip  salvo agreement checks: no --salvo PATH given")

    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
