"""The report formats checked by their ecosystems' own validators (run by tests/formats.rs).

    python validators.py sarif SCHEMA FILE   SARIF 2.1.0 JSON schema, and a location on every result
    python validators.py ocsf FILE           every line a py-ocsf-models DetectionFinding, no field dropped
    python validators.py asff FILE...        botocore's BatchImportFindings validation, and more (below)
    python validators.py junit FILE          parsed back: a summary as JSON on stdout
    python validators.py csv FILE            parsed back (RFC 4180, strict): the rows as JSON on stdout

Problems go to stderr, one per line, and the exit code is 1. Nothing here talks to a network.
"""

import csv
import json
import re
import sys
import xml.etree.ElementTree as ElementTree


def fail(problems):
    for problem in problems:
        print(problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


def sarif(schema_path, path):
    import jsonschema

    with open(schema_path, encoding="utf-8") as file:
        schema = json.load(file)
    with open(path, encoding="utf-8") as file:
        log = json.load(file)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    # The format checker needs rfc3987 (uri, uri-reference) and rfc3339-validator
    # (date-time), both in tests/requirements.txt; without them formats pass unchecked.
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    problems = [
        f"schema: {error.json_path}: {error.message[:300]}"
        for error in validator.iter_errors(log)
    ]
    for run_index, run in enumerate(log.get("runs", [])):
        for index, result in enumerate(run.get("results", [])):
            where = f"runs[{run_index}].results[{index}]"
            locations = result.get("locations") or []
            if not locations:
                problems.append(f"{where}: no location (GitHub code scanning rejects it)")
            for location in locations:
                uri = (
                    location.get("physicalLocation", {})
                    .get("artifactLocation", {})
                    .get("uri")
                )
                if not uri:
                    problems.append(f"{where}: a location without an artifact URI")
    fail(problems)


def _dropped(given, kept, where):
    """Keys of `given` that the model did not keep: pydantic ignores unknown fields, so a
    misspelt attribute would otherwise pass unnoticed."""
    if isinstance(given, dict) and isinstance(kept, dict):
        for key, value in given.items():
            if key not in kept:
                yield f"{where}.{key}"
            else:
                yield from _dropped(value, kept[key], f"{where}.{key}")
    elif isinstance(given, list) and isinstance(kept, list):
        for index, (value, kept_value) in enumerate(zip(given, kept)):
            yield from _dropped(value, kept_value, f"{where}[{index}]")


def ocsf(path):
    import pydantic
    from py_ocsf_models.events.findings.detection_finding import DetectionFinding

    problems = []
    count = 0
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                problems.append(f"line {number}: empty (JSON Lines has one event per line)")
                continue
            count += 1
            event = json.loads(line)
            try:
                model = DetectionFinding.model_validate_json(line, strict=True)
            except pydantic.ValidationError as error:
                problems.append(f"line {number}: {error}")
                continue
            kept = model.model_dump(mode="json", exclude_unset=True)
            problems.extend(
                f"line {number}: {field} is not an attribute of DetectionFinding"
                for field in _dropped(event, kept, "$")
                # `unmapped` is where OCSF puts what it has no attribute for.
                if not field.startswith("$.unmapped.")
            )
            if event.get("class_uid") != 2004 or event.get("type_uid") != 200401:
                problems.append(f"line {number}: not a Detection Finding: Create event")
    if count == 0:
        problems.append("no events")
    fail(problems)


# From the ASFF documentation, not the API model: lengths the service enforces.
ASFF_LIMITS = {
    ("Title",): 256,
    ("Description",): 1024,
    ("Remediation", "Recommendation", "Text"): 512,
    ("Id",): 512,
}
ASFF_TYPE_NAMESPACES = {
    "Software and Configuration Checks",
    "TTPs",
    "Effects",
    "Unusual Behaviors",
    "Sensitive Data Identifications",
}


def _model_constraints(value, shape, where, problems):
    """What botocore's validator leaves out: enums, patterns and maximum lengths."""
    type_name = shape.type_name
    if type_name == "structure" and isinstance(value, dict):
        for key, member in value.items():
            if key in shape.members:
                _model_constraints(member, shape.members[key], f"{where}.{key}", problems)
    elif type_name == "list" and isinstance(value, list):
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            problems.append(f"{where}: {len(value)} items, more than {shape.metadata['max']}")
        for index, item in enumerate(value):
            _model_constraints(item, shape.member, f"{where}[{index}]", problems)
    elif type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            _model_constraints(key, shape.key, f"{where} key", problems)
            _model_constraints(item, shape.value, f"{where}.{key}", problems)
    elif type_name == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            problems.append(f"{where}: {value!r} is not one of {shape.enum}")
        pattern = shape.metadata.get("pattern")
        if pattern and not re.search(pattern, value):
            problems.append(f"{where}: {value!r} does not match {pattern}")
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            problems.append(f"{where}: longer than {shape.metadata['max']}")


def asff(paths):
    import botocore.session
    from botocore.exceptions import ParamValidationError
    from botocore.validate import validate_parameters

    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.operation_model("BatchImportFindings").input_shape
    problems = []
    ids = set()
    for path in paths:
        with open(path, encoding="utf-8") as file:
            findings = json.load(file)
        params = {"Findings": findings}
        try:
            validate_parameters(params, shape)
        except ParamValidationError as error:
            problems.append(f"{path}: {error}")
        local = []
        _model_constraints(params, shape, "$", local)
        problems.extend(f"{path}: {problem}" for problem in local)
        if not 1 <= len(findings) <= 100:
            problems.append(f"{path}: {len(findings)} findings (BatchImportFindings takes 1 to 100)")
        for index, finding in enumerate(findings):
            where = f"{path}: Findings[{index}]"
            for keys, limit in ASFF_LIMITS.items():
                value = finding
                for key in keys:
                    value = value.get(key) if isinstance(value, dict) else None
                if isinstance(value, str) and len(value.encode("utf-16-le")) // 2 > limit:
                    problems.append(f"{where}.{'.'.join(keys)}: longer than {limit}")
            for finding_type in finding.get("Types", []):
                parts = finding_type.split("/")
                if not 1 <= len(parts) <= 3 or parts[0] not in ASFF_TYPE_NAMESPACES:
                    problems.append(f"{where}.Types: {finding_type!r} is not namespace/category/classifier")
            if finding.get("Id") in ids:
                problems.append(f"{where}.Id: {finding.get('Id')} is not unique")
            ids.add(finding.get("Id"))
    fail(problems)


def junit(path):
    root = ElementTree.parse(path).getroot()
    if root.tag != "testsuites":
        fail([f"the root element is <{root.tag}>, not <testsuites>"])
    problems = []
    suites = []
    for suite in root.findall("testsuite"):
        cases = []
        for case in suite.findall("testcase"):
            outcomes = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
            if len(outcomes) > 1:
                problems.append(f"{case.get('name')}: more than one outcome {outcomes}")
            outcome = outcomes[0] if outcomes else "passed"
            element = case.find(outcome) if outcomes else None
            cases.append({
                "classname": case.get("classname"),
                "name": case.get("name"),
                "outcome": outcome,
                "message": element.get("message") if element is not None else None,
            })
        counted = {
            "tests": len(cases),
            "failures": sum(case["outcome"] == "failure" for case in cases),
            "errors": sum(case["outcome"] == "error" for case in cases),
            "skipped": sum(case["outcome"] == "skipped" for case in cases),
        }
        for attribute, count in counted.items():
            if suite.get(attribute) != str(count):
                problems.append(f"suite {suite.get('name')}: {attribute}={suite.get(attribute)}, counted {count}")
        suites.append({"name": suite.get("name"), "cases": cases})
    for attribute in ("tests", "failures", "errors", "skipped"):
        total = sum(int(suite.get(attribute, "0")) for suite in root.findall("testsuite"))
        if root.get(attribute) != str(total):
            problems.append(f"testsuites: {attribute}={root.get(attribute)}, suites add up to {total}")
    if problems:
        fail(problems)
    json.dump(suites, sys.stdout)


def csv_rows(path):
    with open(path, encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file, strict=True))
    json.dump(rows, sys.stdout)


def main(argv):
    if len(argv) < 3:
        fail([__doc__])
    kind, arguments = argv[1], argv[2:]
    if kind == "sarif" and len(arguments) == 2:
        sarif(*arguments)
    elif kind == "ocsf" and len(arguments) == 1:
        ocsf(*arguments)
    elif kind == "asff":
        asff(arguments)
    elif kind == "junit" and len(arguments) == 1:
        junit(*arguments)
    elif kind == "csv" and len(arguments) == 1:
        csv_rows(*arguments)
    else:
        fail([__doc__])


if __name__ == "__main__":
    main(sys.argv)
