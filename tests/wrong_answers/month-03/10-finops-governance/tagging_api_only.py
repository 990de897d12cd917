# Wrong answer: scans only what the Tagging API returns, which never lists a resource that was never tagged, so untagged resources stay invisible.
# cell: tag-compliance
# loses: test-untagged-found, test-compliance-exact
def tag_problems(tags):
    problems = []
    if tags.get("team") not in governance.TEAMS:
        problems.append("team")
    if tags.get("environment") not in governance.ENVIRONMENTS:
        problems.append("environment")
    if not governance.COST_CENTER.match(tags.get("cost-center", "")):
        problems.append("cost-center")
    return sorted(problems)


def find_noncompliant(tagging, resource_arns):
    wanted = set(resource_arns)
    out = {}
    for page in tagging.get_paginator("get_resources").paginate():
        for m in page["ResourceTagMappingList"]:
            if m["ResourceARN"] in wanted:
                problems = tag_problems({t["Key"]: t["Value"] for t in m.get("Tags", [])})
                if problems:
                    out[m["ResourceARN"]] = problems
    return out
