# Wrong answer: reports a missing failure destination at the function's logical id instead of at the trigger, so the reviewer is sent to the wrong line.
# cell: event-rules
# loses: test-async-failures, test-fixtures
def queue_without_dlq(t):
    """SLS002: queues without RedrivePolicy (dead-letter queues themselves excepted)."""
    queues = dict(t.of_type("AWS::SQS::Queue"))
    targets = set()
    for qid, q in queues.items():
        redrive = (q.get("Properties") or {}).get("RedrivePolicy") or {}
        targets |= refs(redrive.get("deadLetterTargetArn"))
    return [Finding("SLS002", qid, t.line_of(qid), "no RedrivePolicy: a poison message is retried "
                    "until it expires, and then it is lost")
            for qid, q in queues.items()
            if not (q.get("Properties") or {}).get("RedrivePolicy") and qid not in targets]


def async_without_on_failure(t):
    """SLS003: asynchronous triggers on functions that have nowhere to send a failed event."""
    covered = set()
    for fid, f in t.functions():
        p = f.get("Properties") or {}
        on_failure = ((p.get("EventInvokeConfig") or {}).get("DestinationConfig") or {}).get("OnFailure")
        if p.get("DeadLetterQueue") or (p.get("DeadLetterConfig") or {}).get("TargetArn") or on_failure:
            covered.add(fid)
    for _, r in t.of_type("AWS::Lambda::EventInvokeConfig"):
        p = r.get("Properties") or {}
        if ((p.get("DestinationConfig") or {}).get("OnFailure")):
            covered |= refs(p.get("FunctionName"))
    return [Finding("SLS003", tr.function, t.line_of(tr.function),
                    f"{tr.kind} invokes {tr.function} asynchronously and it has no on-failure "
                    "destination or DLQ: events that fail all retries are dropped")
            for tr in triggers(t) if tr.kind in templates.ASYNC_TRIGGERS and tr.function not in covered]
