"""What released feedback shows (mastery.grading.feedback), on single cells: fast. The whole
path, a learner's fetched feedback in Chromium, is tests/grading/test_browser.py."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook, new_output

from mastery.grading.feedback import HideHiddenTests, NotebookStyle, visible_part

SOURCE = ("expect(f(1) == 2, 'f(1) should be 2')\n"
          "### BEGIN HIDDEN TESTS\n"
          "secret_case = f(41)\n"
          "expect(secret_case == 42, 'f should add one to any number')\n"
          "### END HIDDEN TESTS")


def _cell(score, error=None):
    cell = new_code_cell(SOURCE)
    cell.metadata.nbgrader = {"grade": True, "solution": False, "grade_id": "test-f", "points": 2,
                              "score": score}
    if error:
        warning = "<cell>:3: UserWarning: secret_case = f(41)\n"
        traceback = ["----> 4 expect(secret_case == 42, ...)", f"AssertionError: {error}"]
        cell.outputs = [new_output("stream", name="stderr", text=warning),
                        new_output("error", ename="AssertionError", evalue=error, traceback=traceback)]
    return cell


def _run(cell):
    nb, _ = HideHiddenTests().preprocess(new_notebook(cells=[cell]), {})
    return nb.cells[0]


def test_a_failed_hidden_test_keeps_its_name_points_and_message_but_not_its_code():
    cell = _run(_cell(0, "f should add one to any number"))
    assert cell.source.splitlines() == [
        "expect(f(1) == 2, 'f(1) should be 2')",
        "# hidden test test-f (2 points): failed; its code is not part of the feedback"]
    assert [o.output_type for o in cell.outputs] == ["error"], "stderr quotes source lines: dropped"
    assert cell.outputs[0].traceback == ["AssertionError: f should add one to any number"]
    assert "secret_case" not in str(cell)


def test_a_passed_hidden_test_says_so():
    cell = _run(_cell(2))
    assert cell.source.endswith("# hidden test test-f (2 points): passed; its code is not part of the "
                                "feedback")
    assert "secret_case" not in cell.source


def test_visible_tests_and_answers_are_left_alone():
    visible = new_code_cell("expect(f(1) == 2, 'f(1) should be 2')")
    visible.metadata.nbgrader = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    answer = new_code_cell("# BEGIN HIDDEN TESTS in a learner's answer is just text")
    answer.metadata.nbgrader = {"grade": False, "solution": True, "grade_id": "a"}
    for cell in (visible, answer):
        assert _run(cell.copy()).source == cell.source
    assert visible_part(SOURCE) == ["expect(f(1) == 2, 'f(1) should be 2')"]


def test_notebook_style_keeps_the_code_colours_and_adds_table_rules():
    _, res = NotebookStyle().preprocess(new_notebook(), {"config_dir": "/nonexistent"})
    css = "\n".join(res["inlining"]["css"])
    assert ".highlight .k { color: #008000" in css, "pygments' default style, as nbgrader's templates ask"
    assert ".rendered_html th, .rendered_html td { border: 1px solid" in css
