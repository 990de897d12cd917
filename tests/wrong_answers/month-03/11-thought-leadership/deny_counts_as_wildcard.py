# Wrong answer: treats every statement with a '*' as a grant, so a Deny guardrail on Resource '*' is reported as a wildcard permission and clean templates fail review.
# cell: iam-rules
# loses: test-iam-wildcards, test-fixtures, test-clean-unseen
def wildcard_iam(t):
    """SLS004: Allow statements with Action '*' / 'service:*' or Resource '*'."""
    out = []
    for s in statements(t):
        if any(a == "*" or a.endswith(":*") for a in s.actions):
            out.append(Finding("SLS004", s.resource, t.line_of(s.resource, *s.path, "Action"),
                               f"wildcard action {s.actions}: grant only the actions the function calls"))
        if "*" in s.resources:
            out.append(Finding("SLS004", s.resource, t.line_of(s.resource, *s.path, "Resource"),
                               "Resource '*': scope the statement to the ARNs it needs"))
    return out


def per_request_infrastructure(t):
    """SLS006: a function may create state machines, tables or stacks at run time."""
    out = []
    for s in statements(t):
        if not (s.allows and s.runtime):
            continue
        granted = [i for i in templates.INFRA_ACTIONS
                   if any(fnmatch.fnmatch(i.lower(), a.lower()) for a in s.actions)]
        if granted:
            out.append(Finding("SLS006", s.resource, t.line_of(s.resource, *s.path, "Action"),
                               f"a function may call {', '.join(granted)} at run time: create it once, "
                               "in the template"))
    return out
