"""The grading side: what instructors, graders and the ``mastery`` command run, never a
learner's kernel (a test cell imports only :mod:`mastery.expect`).

* ``check``       ``mastery check``: instant feedback on a working copy, no gradebook
* ``progress``    a learner's own results over time (``mastery progress``)
* ``learner``     fetch / submit / fetch-feedback through nbgrader's exchange
* ``cohort``      an instructor's cohort: roster, release, collect, parallel autograde, feedback, export
* ``sandbox``     the kernel a submission runs in when graded (Landlock, limits, clean-up)
* ``report``      cohort analytics as one HTML file
* ``submissions`` reference, blank, wrong-answer and right-answer submissions (tests, benchmarks)
* ``authoring``   cells with correct nbgrader metadata, for writing exercises
* ``scaffold``    ``mastery new-week``: the four places of a new week
"""
