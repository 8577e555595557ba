#!/usr/bin/python3
"""Counts test cases across build dirs: GTest cases from meson's JUnit log (TAP subtests) and
pytest cases from each integration test's own JUnit file. Prints failures, then the final
"N passed, N failed" line, and exits non-zero when anything failed."""

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def cases(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as error:
        yield (str(path), "unreadable", f"{error}")
        return
    for case in root.iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        if case.find("failure") is not None or case.find("error") is not None:
            yield (name, "failed", "")
        elif case.find("skipped") is not None:
            yield (name, "skipped", "")
        else:
            yield (name, "passed", "")


def collect(build_dir):
    build = Path(build_dir)
    results = []
    meson_log = build / "meson-logs" / "testlog.junit.xml"
    integration_junits = sorted((build / "tests" / "integration").glob("*.junit.xml"))
    if meson_log.exists():
        root = ET.parse(meson_log).getroot()
        for suite in root.iter("testsuite"):
            if "integration" in suite.get("name", ""):
                # pytest reports each case itself; meson's entry only says whether the file passed.
                for case in suite.iter("testcase"):
                    if case.find("failure") is not None or case.find("error") is not None:
                        stem = case.get("name", "").split(" ")[-1]
                        if not (build / "tests" / "integration" / f"{stem}.junit.xml").exists():
                            results.append((f"{build_dir}:{stem}", "failed", "no pytest report"))
                continue
            for case in suite.iter("testcase"):
                name = f"{build_dir}:{suite.get('name')}::{case.get('name')}"
                state = "passed"
                if case.find("failure") is not None or case.find("error") is not None:
                    state = "failed"
                elif case.find("skipped") is not None:
                    state = "skipped"
                results.append((name, state, ""))
    else:
        results.append((f"{build_dir}:meson", "failed", "no meson test log"))
    for junit in integration_junits:
        results += [(f"{build_dir}:{name}", state, why) for name, state, why in cases(junit)]
    results += crashed_tests(build, build_dir, results)
    return results


def crashed_tests(build, build_dir, results):
    """A test program that crashed (a TAP test killed by an assertion or a sanitizer, a pytest
    run that died after writing its report) has no failed case in any JUnit file: meson's own
    verdict in testlog.json says so. One failure per such test."""
    log = build / "meson-logs" / "testlog.json"
    if not log.exists():
        return []
    extra = []
    for line in log.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("result") in ("OK", "SKIP", "EXPECTEDFAIL"):
            continue
        name = entry.get("name", "?")
        stem = name.split(" ")[-1]
        if not any(state == "failed" and (stem in case or name in case) for case, state, _ in results):
            extra.append((f"{build_dir}:{name}", "failed", f"meson: {entry.get('result')}"))
    return extra


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--failed-builds", type=int, default=0)
    parser.add_argument("build_dirs", nargs="*")
    args = parser.parse_args()
    results = []
    for build_dir in args.build_dirs:
        results += collect(build_dir)
    passed = sum(1 for _, state, _ in results if state == "passed")
    skipped = sum(1 for _, state, _ in results if state == "skipped")
    failed = [name for name, state, _ in results if state in ("failed", "unreadable")]
    failed_count = len(failed) + args.failed_builds
    for name in failed:
        print(f"FAILED {name}")
    if args.failed_builds:
        print(f"FAILED {args.failed_builds} build(s)")
    line = f"{passed} passed, {failed_count} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed_count or not results else 0


if __name__ == "__main__":
    sys.exit(main())
