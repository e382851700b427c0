"""Fixtures written by the Java library: ForeignReadersTest (mmapvec-core) writes them, records
what it wrote in expected.json, and runs this suite with MMAPVEC_FIXTURES pointing there."""

import json
import os
import pathlib

import pytest


@pytest.fixture(scope="session")
def fixtures():
    where = os.environ.get("MMAPVEC_FIXTURES")
    if not where:
        pytest.fail(
            "MMAPVEC_FIXTURES is not set: run these tests through the Java build "
            "(bin/test runs ForeignReadersTest, which writes the files and calls pytest)"
        )
    root = pathlib.Path(where)
    expected = json.loads((root / "expected.json").read_text())
    expected["dir"] = root
    return expected


@pytest.fixture(scope="session")
def java():
    """How to start a Java writer of the fixtures (InteropWriter), as the Java test passes it."""
    return os.environ["MMAPVEC_JAVA"], os.environ["MMAPVEC_CLASSPATH"]
