# Wrong answer: keeps only the first control of each framework for a check, so a finding that puts two HIPAA safeguards at risk shows one of them.
# cell: report
# loses: test-report
def report(findings):
    """One row per (finding, framework, control)."""
    rows = [{"resource": resource, "check": check, "framework": framework, "control": control}
            for resource, check in findings
            for framework in compliance.FRAMEWORKS
            for control in compliance.CONTROLS[check][framework][:1]]
    df = pd.DataFrame(rows, columns=["resource", "check", "framework", "control"])
    return df.sort_values(["resource", "check", "framework", "control"]).reset_index(drop=True)
