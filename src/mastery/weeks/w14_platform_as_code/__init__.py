"""Week 14 — The platform as code.

Plumbing only (never the learner's answer); tests in ``tests/weeks/w14_platform_as_code/``.
"""

from mastery.weeks import Week

WEEK = Week(14, '14-platform-as-code', 'The platform as code',
            summary="the task platform as one SAM template, expanded by AWS's translator and deployed as a "
                    
'CloudFormation stack: updates in place, no-op deploys, rollbacks, linted',
            modules=('platform',))
