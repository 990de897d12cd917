"""The learner's single-user image (deploy/Dockerfile, docs/deploy.md) must never hold answers:
not solutions/ (nbgrader's source, with the hidden tests), not tests/ (wrong and right answers
are patches of the solution cells), not benchmarks/ (mutation diffs of them). Checked without
Docker: what the build context may contain (deploy/Dockerfile.dockerignore, BuildKit's
per-Dockerfile ignore file), what COPY takes from it, and that every file so copied is free of
solution and hidden-test markers."""

from __future__ import annotations

import fnmatch
import re
import shlex

import pytest

from mastery import paths

ROOT = paths.course_root()
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
IGNORE = ROOT / "deploy" / "Dockerfile.dockerignore"
FORBIDDEN = ("solutions", "tests", "benchmarks", "work", ".git", ".venv")
MARKERS = ("BEGIN HIDDEN TESTS", "### BEGIN SOLUTION", "END HIDDEN TESTS")


def _ignore_rules() -> list[tuple[bool, str]]:
    rules = []
    for line in IGNORE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rules.append((line.startswith("!"), line.lstrip("!").rstrip("/")))
    return rules


def _in_context(rel: str, rules) -> bool:
    """Docker's .dockerignore semantics: patterns are anchored at the context's root (``**/``
    matches at any depth), a pattern matching a folder matches what is in it, and the last
    matching rule wins."""
    keep = True
    parts = rel.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for negate, pattern in rules:
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatchcase(p, pattern[3:]) for p in parts)
        else:
            depth = pattern.count("/")
            hit = any(fnmatch.fnmatchcase(p, pattern) and p.count("/") == depth for p in prefixes)
        if hit:
            keep = negate
    return keep


def context_files() -> list[str]:
    rules = _ignore_rules()
    out = []
    for p in ROOT.rglob("*"):
        rel = p.relative_to(ROOT).as_posix()
        if rel.split("/")[0] in (".git", ".venv"):
            continue
        if p.is_file() and _in_context(rel, rules):
            out.append(rel)
    return out


def copy_sources() -> list[str]:
    sources = []
    for line in re.sub(r"\\\n", " ", DOCKERFILE.read_text()).splitlines():
        words = shlex.split(line, comments=True) if line.strip() else []
        if words and words[0].upper() in ("COPY", "ADD"):
            args = [w for w in words[1:] if not w.startswith("--")]
            sources += args[:-1]
    return sources


def test_the_build_context_holds_no_solutions_hidden_tests_or_answer_patches():
    files = context_files()
    assert "exercises/month-01/02-saga-step-functions.ipynb" in files
    assert "src/mastery/backend.py" in files
    leaked = [f for f in files if f.split("/")[0] in FORBIDDEN]
    assert not leaked, f"the image's build context would hold {leaked[:5]}"


def test_copy_takes_only_the_course_the_learner_may_see():
    sources = copy_sources()
    assert sources, "no COPY in deploy/Dockerfile"
    for src in sources:
        top = src.rstrip("/").split("/")[0]
        assert src not in (".", "./", "*") and top not in FORBIDDEN, f"COPY {src} would bring answers in"
        assert (ROOT / src).exists(), f"COPY {src}: no such path in the course"
        assert _in_context(src.rstrip("/"), _ignore_rules()), f"COPY {src} is excluded from the build context"


@pytest.mark.parametrize("src", copy_sources())
def test_nothing_copied_holds_a_solution_or_hidden_test(src):
    base = ROOT / src
    files = [base] if base.is_file() else [p for p in base.rglob("*") if p.is_file()]
    for f in files:  # answers live in notebooks (the package's code names the markers, as code)
        if f.suffix != ".ipynb":
            continue
        text = f.read_text(errors="ignore")
        found = [m for m in MARKERS if m in text]
        assert not found, f"{f.relative_to(ROOT)} holds {found}"


def test_the_server_starts_its_own_emulator_and_runs_what_the_spawner_asks():
    start = (ROOT / "deploy" / "start-singleuser.sh").read_text()
    assert "mastery up" in start and 'exec "$@"' in start
    text = DOCKERFILE.read_text()
    assert 'ENTRYPOINT ["tini", "--", "start-singleuser"]' in text and 'CMD ["jupyterhub-singleuser"]' in text
    assert re.search(r"^USER ", text, re.M), "the server must not run as root"
