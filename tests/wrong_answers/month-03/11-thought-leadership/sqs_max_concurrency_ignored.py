# Wrong answer: accepts only ReservedConcurrentExecutions as a bound, so an SQS consumer limited by the event source's MaximumConcurrency is reported as unbounded.
# cell: function-rules
# loses: test-concurrency, test-fixtures, test-clean-unseen
def sync_lambda_invoke(t):
    """SLS001: inline code that invokes another function and waits for it."""
    out = []
    for fid, f in t.functions():
        found = inline_code(f)
        if not found:
            continue
        code, path = found
        for m in re.finditer(r"\.invoke\(", code):
            depth, i = 1, m.end()
            while i < len(code) and depth:
                depth += {"(": 1, ")": -1}.get(code[i], 0)
                i += 1
            args = code[m.end():i]
            if not re.search(r"InvocationType\s*=\s*['\"]Event['\"]", args):
                out.append(Finding("SLS001", fid, t.line_of(fid, *path),
                                   "synchronous Lambda-to-Lambda invoke: the caller pays while it waits "
                                   "and fails with the callee; use a queue, an event or Step Functions"))
                break
    return out


def unbounded_concurrency(t):
    """SLS005: functions behind a spiky trigger without a concurrency bound."""
    out, by_function = [], {}
    for tr in triggers(t):
        if tr.kind in templates.SPIKY_TRIGGERS:
            by_function.setdefault(tr.function, []).append(tr)
    for fid, f in t.functions():
        if fid not in by_function:
            continue
        reserved = (f.get("Properties") or {}).get("ReservedConcurrentExecutions")
        if reserved is None and f["Type"] == "AWS::Serverless::Function":
            reserved = t.global_function("ReservedConcurrentExecutions")
        if reserved is not None:
            continue
        unbounded = [tr for tr in by_function[fid]
]
        if unbounded:
            out.append(Finding("SLS005", fid, t.line_of(fid),
                               f"{unbounded[0].kind} can scale {fid} to the account's whole concurrency: "
                               "set ReservedConcurrentExecutions"))
    return out


def timeouts(t):
    """SLS007: no timeout (Lambda's default 3 s), or longer than an API trigger can wait."""
    out, limits = [], {}
    for tr in triggers(t):
        if tr.kind in templates.API_TIMEOUT_LIMITS:
            limits[tr.function] = min(limits.get(tr.function, 10**9), templates.API_TIMEOUT_LIMITS[tr.kind])
    for fid, f in t.functions():
        p = f.get("Properties") or {}
        if "Timeout" in p:
            timeout, line = p["Timeout"], t.line_of(fid, "Properties", "Timeout")
        elif f["Type"] == "AWS::Serverless::Function" and t.global_function("Timeout") is not None:
            timeout, line = t.global_function("Timeout"), t.line("Globals", "Function", "Timeout")
        else:
            out.append(Finding("SLS007", fid, t.line_of(fid),
                               f"no Timeout: Lambda's default is {templates.DEFAULT_TIMEOUT} s"))
            continue
        if fid in limits and isinstance(timeout, int) and timeout > limits[fid]:
            out.append(Finding("SLS007", fid, line, f"Timeout {timeout} s outlives the API's "
                               f"{limits[fid]} s integration timeout: the client gets a 504 while the "
                               "function keeps running"))
    return out
