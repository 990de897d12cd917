# Wrong answer: checks only that the required keys exist, so values outside the policy (environment 'production', cost centre '2002') pass and cost goes to phantom environments.
# cell: tag-compliance
# loses: test-compliance-exact
def tag_problems(tags):
    return sorted(k for k in ("team", "environment", "cost-center") if k not in tags)


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
