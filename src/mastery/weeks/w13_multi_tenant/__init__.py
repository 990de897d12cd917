"""Week 13 — Multi-tenant architecture (month 4 capstone: the task platform's data layer).

Plumbing only (never the learner's answer); tests in ``tests/weeks/w13_multi_tenant/``.
"""

from mastery.weeks import Week

WEEK = Week(
    13,
    "13-multi-tenant",
    "Multi-tenant architecture",
    summary="the tenant-isolated data layer of a pooled SaaS: tenant context from a verified JWT, "
    "one partition per tenant, conditioned writes, an ABAC policy on LeadingKeys",
    modules=("tenancy", "iampolicy"),
)
