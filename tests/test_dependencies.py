"""pyproject.toml and the lock files in requirements/ (written by `make lock`) cannot drift apart.

- every direct dependency in pyproject.toml is pinned (`==`) and the lock file pins it to the same version:
  `[project].dependencies` in production.txt, those and the `dev` group in development.txt;
- every package in a lock file is pinned with `==` and carries at least one `--hash`, so that
  `pip install --require-hashes` accepts the file;
- development.txt holds the whole of production.txt, with the same versions and hashes;
- the environment running the tests has what development.txt pins (a stale `.venv` shows up here).
"""

import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = ROOT / "requirements" / "production.txt"
DEVELOPMENT = ROOT / "requirements" / "development.txt"


class Pin:
    def __init__(self, line: str):
        requirement, *hashes = (part.strip() for part in line.split("--hash="))
        self.line = line
        self.requirement = Requirement(requirement)
        self.name = canonicalize_name(self.requirement.name)
        specifiers = list(self.requirement.specifier)
        self.version = (
            specifiers[0].version if len(specifiers) == 1 and specifiers[0].operator == "==" else None
        )
        self.hashes = sorted(hashes)


def lock_file(path: Path) -> dict[str, Pin]:
    """The pins of a requirements file: continuation lines joined, comments and options left out."""
    pins: dict[str, Pin] = {}
    logical = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        logical = (logical + line).strip()
        if logical and not logical.startswith("-"):
            pin = Pin(logical)
            assert pin.name not in pins, f"{path.name}: {pin.name} is listed twice"
            pins[pin.name] = pin
        logical = ""
    assert not logical, f"{path.name} ends in a continuation line"
    return pins


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def dependency_group(groups: dict, name: str) -> list[str]:
    entries = []
    for entry in groups[name]:
        entries += dependency_group(groups, entry["include-group"]) if isinstance(entry, dict) else [entry]
    return entries


def direct(requirements: list[str]) -> list[Requirement]:
    return [Requirement(line) for line in requirements]


PROJECT = pyproject()
PRODUCTION_DIRECT = direct(PROJECT["project"]["dependencies"])
DEV_DIRECT = direct(dependency_group(PROJECT["dependency-groups"], "dev"))


def pinned_version(requirement: Requirement) -> str:
    specifiers = list(requirement.specifier)
    assert len(specifiers) == 1 and specifiers[0].operator == "==", (
        f"pyproject.toml: pin {requirement.name} to one version (==), not {requirement.specifier or 'nothing'}"
    )
    return specifiers[0].version


@pytest.mark.parametrize(
    ("lock_path", "requirements"),
    [(PRODUCTION, PRODUCTION_DIRECT), (DEVELOPMENT, PRODUCTION_DIRECT + DEV_DIRECT)],
    ids=["production", "development"],
)
def test_every_direct_dependency_is_locked_at_the_version_pyproject_pins(lock_path, requirements):
    pins = lock_file(lock_path)
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not in {lock_path.name}: run `make lock`"
        assert pins[name].version == pinned_version(requirement), (
            f"pyproject.toml pins {name}=={pinned_version(requirement)}, "
            f"{lock_path.name} {pins[name].version}: run `make lock`"
        )


def test_development_holds_the_whole_of_production_unchanged():
    production, development = lock_file(PRODUCTION), lock_file(DEVELOPMENT)
    for name, pin in production.items():
        assert name in development, f"{name} is in production.txt but not in development.txt"
        assert development[name].version == pin.version, (
            f"{name}: {development[name].version} ≠ {pin.version}"
        )
        assert development[name].hashes == pin.hashes, f"{name}: the two files disagree on its hashes"
    dev_only = {canonicalize_name(requirement.name) for requirement in DEV_DIRECT}
    assert not dev_only & production.keys(), (
        f"dev dependencies in production.txt: {dev_only & production.keys()}"
    )


@pytest.mark.parametrize("lock_path", [PRODUCTION, DEVELOPMENT], ids=["production", "development"])
def test_every_locked_package_is_pinned_with_hashes(lock_path):
    pins = lock_file(lock_path)
    assert len(pins) > 10, f"{lock_path.name} holds almost nothing"
    for pin in pins.values():
        assert pin.version, f"{lock_path.name}: {pin.line} is not pinned with =="
        assert pin.hashes, f"{lock_path.name}: {pin.name} has no --hash"
        assert all(digest.startswith("sha256:") and len(digest) == 71 for digest in pin.hashes), pin.line


def test_the_old_unhashed_lock_file_is_gone():
    assert not (ROOT / "requirements.lock").exists()


def test_the_running_environment_has_what_development_pins():
    """`make` installs development.txt whenever a lock file changes; a mismatch means a stale `.venv`."""
    wrong = []
    for name, pin in lock_file(DEVELOPMENT).items():
        if pin.requirement.marker is not None and not pin.requirement.marker.evaluate():
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "missing"
        if installed == "missing" or Version(installed) != Version(pin.version):
            wrong.append(f"{name}: {installed}, locked {pin.version}")
    assert not wrong, (
        "the environment differs from requirements/development.txt (run `make setup`):\n" + "\n".join(wrong)
    )
