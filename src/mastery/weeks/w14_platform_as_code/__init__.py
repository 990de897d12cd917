"""Week 14 — The platform as code (month 4 capstone: the task platform).

Plumbing only (never the learner's answer); tests in ``tests/weeks/w14_platform_as_code/``.
The emulator's CloudFormation fidelity the week relies on is :mod:`mastery.cfn_fidelity`.
"""

from mastery.weeks import Week

WEEK = Week(14, "14-platform-as-code", "The platform as code",
            summary="the task platform as one SAM template, expanded by AWS's translator and deployed "
                    "as a CloudFormation stack: updates in place, no-op deploys, rollbacks, linted",
            modules=("platform",))
