"""What released feedback and the formgrader show: two nbconvert preprocessors that a cohort's
nbgrader settings (:func:`mastery.grading.cohort.config`) put into nbgrader's HTML export.

* :class:`HideHiddenTests` (feedback only, the cohort's ``feedback_hidden_tests`` setting,
  ``summary`` by default): each hidden test shows its name, points, passed or failed and its
  failure message (``AssertionError: <the hint>``), never its code. nbgrader's own feedback
  holds the full source of every hidden test, and its tracebacks quote the failing lines: after
  the first month every learner would hold the hidden tests of exercises that later cohorts
  reuse. ``source`` keeps nbgrader's behaviour.
* :class:`NotebookStyle` (feedback and the formgrader): nbgrader's HTML templates inline no
  notebook CSS, so a Markdown table (the parts table at the top of every exercise) has no
  borders and no padding and its cells run together ("partyou write"). It adds the few rules
  a rendered notebook needs.
"""

from __future__ import annotations

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, Preprocessor
from traitlets import Bool, Unicode

_BEGIN, _END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"  # nbgrader's ClearHiddenTests delimiters

NOTEBOOK_CSS = """/* mastery.grading.feedback.NotebookStyle: rendered Markdown in nbgrader's HTML */
.rendered_html table { border-collapse: collapse; margin: 0.6em 0 1em; }
.rendered_html th, .rendered_html td { border: 1px solid #cfcfcf; padding: 4px 10px;
  text-align: left; vertical-align: top; }
.rendered_html th { background: #f3f3f3; font-weight: 600; }
.rendered_html tr:nth-child(even) td { background: #fafafa; }
.rendered_html code { white-space: nowrap; }
pre.mastery-hidden-test { color: #555; }
"""


def is_hidden_test(cell) -> bool:
    """An autograded test cell with a hidden part (nbgrader's ``### BEGIN HIDDEN TESTS``)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return (cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")
            and _BEGIN in cell.get("source", ""))


def visible_part(source: str) -> list[str]:
    """The lines of a test cell outside its hidden regions (and without the delimiters)."""
    out, hidden = [], False
    for line in source.splitlines():
        if _BEGIN in line:
            hidden = True
        elif _END in line:
            hidden = False
        elif not hidden:
            out.append(line)
    return out


def _fmt(x) -> str:
    x = float(x or 0)
    return f"{x:g}"


class HideHiddenTests(Preprocessor):
    """In feedback, replace each hidden test's code by one line: its name, points and outcome;
    keep its failure message but not the traceback (which quotes the failing lines), and drop
    its stderr (warnings quote source lines too). Runs after nbgrader's ``GetGrades``."""

    enabled = Bool(True).tag(config=True)  # nbgrader registers its steps without enabling them

    def preprocess_cell(self, cell, resources, index):
        if not is_hidden_test(cell):
            return cell, resources
        meta = cell.metadata.nbgrader
        points = meta.get("points", 0)
        score = meta.get("score")
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        passed = not errors and score is not None and float(score) >= float(points or 0)
        outcome = "passed" if passed else "failed"
        plural = "" if float(points or 0) == 1 else "s"
        note = (f"# hidden test {meta.get('grade_id')} ({_fmt(points)} point{plural}): {outcome}; "
                "its code is not part of the feedback")
        visible = visible_part(cell.source)
        while visible and not visible[-1].strip():
            visible.pop()
        cell.source = "\n".join([*visible, note] if visible else [note])
        kept = []
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                o["traceback"] = [f"{o.get('ename', 'Error')}: {o.get('evalue', '')}"]
            elif o.get("output_type") == "stream" and o.get("name") == "stderr":
                continue
            kept.append(o)
        cell.outputs = kept
        return cell, resources


class NotebookStyle(CSSHTMLHeaderPreprocessor):
    """nbconvert's ``CSSHTMLHeaderPreprocessor`` (the code highlighting CSS nbgrader's feedback
    and formgrade templates inline) plus :data:`NOTEBOOK_CSS`. It takes that preprocessor's
    place (the cohort's config disables the original, which would run after it and replace the
    CSS: the templates' conf.json registers it last)."""

    enabled = Bool(True).tag(config=True)
    style = Unicode("default", help="Pygments style (the one nbgrader's templates ask for)").tag(config=True)
    css = Unicode(NOTEBOOK_CSS).tag(config=True)

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        resources["inlining"]["css"].append(self.css)
        return nb, resources
