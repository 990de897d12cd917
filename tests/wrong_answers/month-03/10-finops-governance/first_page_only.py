# Wrong answer: reads one page of GetResources (at most 100 tags, so 20 resources here) and takes every resource it did not see for untagged, reporting compliant resources.
# cell: tag-compliance
# loses: test-compliance-exact
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
    wanted = list(resource_arns)
    page = tagging.get_resources(ResourceARNList=wanted[:100])
    tags = {m["ResourceARN"]: {t["Key"]: t["Value"] for t in m.get("Tags", [])}
            for m in page["ResourceTagMappingList"]}
    out = {}
    for arn in wanted:
        problems = tag_problems(tags.get(arn, {}))
        if problems:
            out[arn] = problems
    return out
