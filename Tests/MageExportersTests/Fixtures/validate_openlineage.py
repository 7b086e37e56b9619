#!/usr/bin/env python3
"""Validates OpenLineage RunEvents (one JSON object per line) against the OpenLineage JSON schemas.

usage: validate_openlineage.py SPEC_DIR EVENTS.ndjson

SPEC_DIR holds OpenLineage.json and facets/*.json (see openlineage/README.md). Every $ref resolves from
those local files through a referencing.Registry: nothing is fetched from the network. Each event must
be a valid RunEvent with an eventType; each facet must be one of the standard facets in SPEC_DIR/facets,
sit in the right place (a run facet under run.facets, an input facet under inputFacets, ...), validate
against its facet schema, and name that schema in _schemaURL. Formats (date-time, uri, uuid) are checked.

Exit status: 0 all valid, 1 some event is invalid (each problem printed as "line N: where: what"),
2 bad usage or a missing dependency.
"""
import datetime
import json
import pathlib
import re
import sys
import urllib.parse

try:
    import jsonschema
    from referencing import Registry, Resource
except ImportError as error:  # pragma: no cover
    print(f"validate_openlineage.py needs the jsonschema package (pip install jsonschema): {error}", file=sys.stderr)
    sys.exit(2)

CORE_ID = "https://openlineage.io/spec/2-0-2/OpenLineage.json"
RUN_EVENT = {"$ref": CORE_ID + "#/$defs/RunEvent"}
# Which base facet a facet container's members must extend.
CONTAINERS = {
    "run.facets": "RunFacet",
    "job.facets": "JobFacet",
    "facets": "DatasetFacet",
    "inputFacets": "InputDatasetFacet",
    "outputFacets": "OutputDatasetFacet",
}

checker = jsonschema.FormatChecker()
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")


# Checked here rather than by optional packages, so the result does not depend on what else is installed.
@checker.checks("date-time", raises=ValueError)
def is_date_time(value):
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@checker.checks("uri", raises=ValueError)
def is_uri(value):
    if not isinstance(value, str):
        return True
    parsed = urllib.parse.urlsplit(value)
    if not SCHEME.match(parsed.scheme or "") or any(c.isspace() for c in value) or value == parsed.scheme + ":":
        raise ValueError(f"{value!r} is not an absolute URI")
    return True


@checker.checks("uuid", raises=ValueError)
def is_uuid(value):
    if not isinstance(value, str):
        return True
    if not re.match(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", value):
        raise ValueError(f"{value!r} is not a UUID")
    return True


def load_specs(spec_dir):
    core = json.loads((spec_dir / "OpenLineage.json").read_text())
    facet_files = [json.loads(p.read_text()) for p in sorted((spec_dir / "facets").glob("*.json"))]
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in [core] + facet_files)
    # facet key (e.g. "schema") -> (its file's schema, the $defs name, the base facet it extends)
    facets = {}
    for schema in facet_files:
        for key, prop in schema.get("properties", {}).items():
            name = prop["$ref"].split("/")[-1]
            base = schema["$defs"][name]["allOf"][0]["$ref"].split("/")[-1]
            facets[key] = (schema, name, base)
    return core, registry, facets


def validator(schema, registry):
    return jsonschema.Draft202012Validator(schema, registry=registry, format_checker=checker)


def where(prefix, error):
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return (prefix + path).lstrip(".") or "event"


def check_event(event, core, registry, facets):
    problems = []
    for error in sorted(validator(RUN_EVENT, registry).iter_errors(event), key=lambda e: list(e.absolute_path)):
        problems.append(f"{where('', error)}: {error.message}")
    if not problems:
        for error in validator(core, registry).iter_errors(event):
            problems.append(f"{where('', error)}: {error.message}")
    if not isinstance(event, dict):
        return problems or ["the event is not a JSON object"]
    if "eventType" not in event:
        problems.append("eventType: missing (a RunEvent must say START, COMPLETE, FAIL, ...)")

    def check_container(container, owner, kind):
        if not isinstance(container, dict):
            return
        for key, value in container.items():
            place = f"{owner}.{key}"
            if key not in facets:
                problems.append(f"{place}: not a standard facet in the spec folder (known: {', '.join(sorted(facets))})")
                continue
            schema, name, base = facets[key]
            if base != CONTAINERS[kind]:
                problems.append(f"{place}: {name} extends {base}, it does not belong under {kind}")
            for error in validator(schema, registry).iter_errors({key: value}):
                problems.append(f"{where(owner, error)}: {error.message}")
            expected = f"{schema['$id']}#/$defs/{name}"
            if isinstance(value, dict) and value.get("_schemaURL") != expected:
                problems.append(f"{place}._schemaURL: {value.get('_schemaURL')!r}, expected {expected!r}")

    check_container(event.get("run", {}).get("facets"), "run.facets", "run.facets")
    check_container(event.get("job", {}).get("facets"), "job.facets", "job.facets")
    for side, extra in (("inputs", "inputFacets"), ("outputs", "outputFacets")):
        for i, dataset in enumerate(event.get(side) or []):
            if isinstance(dataset, dict):
                check_container(dataset.get("facets"), f"{side}[{i}].facets", "facets")
                check_container(dataset.get(extra), f"{side}[{i}].{extra}", extra)
    return problems


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    core, registry, facets = load_specs(pathlib.Path(argv[1]))
    lines = pathlib.Path(argv[2]).read_text().splitlines()
    failed = 0
    count = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        count += 1
        try:
            event = json.loads(line)
        except json.JSONDecodeError as error:
            print(f"line {number}: not JSON: {error}")
            failed += 1
            continue
        problems = check_event(event, core, registry, facets)
        for problem in problems:
            print(f"line {number}: {problem}")
        failed += bool(problems)
    if count == 0:
        print("no events to validate")
        return 1
    print(f"{count - failed} of {count} events valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
