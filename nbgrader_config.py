"""nbgrader configuration for the course (instructor side).

solutions/ is nbgrader's source directory (solutions + hidden tests); exercises/ is its
release directory, generated with `nbgrader generate_assignment "*" --no-db --force` and
committed. Assignments are months: month-01, month-02, ...

This file is the one source of nbgrader settings: a cohort's own config
(``mastery.grading.cohort.config``) loads it and overrides only its folders and gradebook.
"""

import os

c = get_config()  # noqa: F821  (nbgrader injects it)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "serverless-mastery"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
# The course repository is not a cohort and holds no grades: a formgrader opened in a lab on
# the repository (`mastery start`) gets an empty in-memory gradebook instead of writing
# gradebook.db here. Cohorts (`mastery cohort lab`) set their own gradebook.
c.CourseDirectory.db_url = "sqlite:///:memory:"
# Data files beside a notebook travel with it; caches and checkpoints do not.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
# A test cell that talks to the local AWS may take a while; an infinite loop may not.
c.Execute.timeout = 120
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# One "how this exercise is checked" paragraph for every exercise, prepended to each release.
# An absolute path: nbgrader opens it relative to the working directory.
c.IncludeHeaderFooter.header = os.path.join(c.CourseDirectory.root, "solutions", "header.ipynb")
# ... and one "check your work" cell (`check()`, mastery.feedback) appended to each release.
c.IncludeHeaderFooter.footer = os.path.join(c.CourseDirectory.root, "solutions", "footer.ipynb")
# Run All in JupyterLab goes past a failing harness or test to that check() (tagged
# `raises-exception`; mastery.grading.authoring.TagTestsRaiseException). Grading is unchanged.
from nbgrader.converters.generate_assignment import GenerateAssignment  # noqa: E402

# import paths, not classes: a cohort's nbgrader_config.py repeats these settings as text
c.GenerateAssignment.preprocessors = [
    *(f"{pp.__module__}.{pp.__name__}"
      for pp in GenerateAssignment.class_traits()["preprocessors"].make_dynamic_default()),
    "mastery.grading.authoring.TagTestsRaiseException",
]
