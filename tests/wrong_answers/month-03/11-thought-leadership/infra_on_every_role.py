# Wrong answer: flags CreateTable wherever it appears, so the deployment role CloudFormation assumes (infrastructure created once, at deploy time) is reported as per-request infrastructure.
# cell: iam-rules
# loses: test-per-request-infra, test-fixtures, test-clean-unseen
def wildcard_iam(t):
    """SLS004: Allow statements with Action '*' / 'service:*' or Resource '*'."""
    out = []
    for s in statements(t):
        if not s.allows:
            continue
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
        if not s.allows:
            continue
        granted = [i for i in templates.INFRA_ACTIONS
                   if any(fnmatch.fnmatch(i.lower(), a.lower()) for a in s.actions)]
        if granted:
            out.append(Finding("SLS006", s.resource, t.line_of(s.resource, *s.path, "Action"),
                               f"a function may call {', '.join(granted)} at run time: create it once, "
                               "in the template"))
    return out
