# Wrong answer: compares tag keys and values case-insensitively, but AWS tags are case-sensitive, so a 'Team' tag passes although cost allocation by 'team' never sees it.
# cell: tag-compliance
# loses: test-compliance-exact
def tag_problems(tags):
    tags = {k.lower(): v.lower() for k, v in tags.items()}
    problems = []
    if tags.get("team") not in governance.TEAMS:
        problems.append("team")
    if tags.get("environment") not in governance.ENVIRONMENTS:
        problems.append("environment")
    if not governance.COST_CENTER.match(tags.get("cost-center", "").upper()):
        problems.append("cost-center")
    return sorted(problems)


def find_noncompliant(tagging, resource_arns):
    wanted = list(resource_arns)
    tags = {}
    for i in range(0, len(wanted), 100):
        for page in tagging.get_paginator("get_resources").paginate(ResourceARNList=wanted[i:i + 100]):
            for m in page["ResourceTagMappingList"]:
                tags[m["ResourceARN"]] = {t["Key"]: t["Value"] for t in m.get("Tags", [])}
    out = {}
    for arn in wanted:
        problems = tag_problems(tags.get(arn, {}))
        if problems:
            out[arn] = problems
    return out
