"""Support package for the Serverless Mastery Lab course.

One module per role. Platform: ``backend`` (find LocalStack or run the embedded emulator),
``emulator`` (that emulator), ``aws`` (clients, namespaces, the call meter), ``lambdas``
(calling handlers in-process), ``workflows`` (Step Functions), ``grading`` (instant
feedback, ``expect``), ``submissions`` (reference, blank and wrong-answer submissions),
``cohort`` (nbgrader for instructors), ``authoring`` (writing exercises), ``data``,
``plots``, ``paths`` and ``cli`` (the ``mastery`` command).

Plumbing for the weeks (never the learner's answer): ``eventstore``, ``shop`` (the saga's
sample shop), ``strangler``, ``canary``, ``zerotrust``, ``dlp``, ``compliance``,
``caching``, ``telemetry``, ``slo``, ``finops`` (FOCUS billing data), ``costs`` (pricing the
call meter) and ``governance``.
"""

__version__ = "0.1.0"
