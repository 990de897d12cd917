# Wrong answer: Makes a new random password on every createSecret call, so a retried step overwrites the pending password and the rotation may set one password in the database and another in the secret.
# cell: rotation
# loses: test-rotation-steps
def rotation_handler(event, context):
    """A Secrets Manager rotation function for the `db` password."""
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]

    def pending():
        return json.loads(sm.get_secret_value(SecretId=arn, VersionId=token,
                                              VersionStage="AWSPENDING")["SecretString"])

    if step == "createSecret":
        current = json.loads(sm.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
        password = sm.get_random_password(PasswordLength=32, ExcludePunctuation=True)["RandomPassword"]
        sm.put_secret_value(SecretId=arn, ClientRequestToken=token, VersionStages=["AWSPENDING"],
                            SecretString=json.dumps({**current, "password": password}))
    elif step == "setSecret":
        new = pending()
        db.set_password(new["username"], new["password"])
    elif step == "testSecret":
        new = pending()
        if not db.login(new["username"], new["password"]):
            raise RuntimeError("the pending credentials do not work on the database")
    elif step == "finishSecret":
        versions = sm.describe_secret(SecretId=arn)["VersionIdsToStages"]
        current = next(v for v, stages in versions.items() if "AWSCURRENT" in stages)
        if current != token:
            sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT",
                                           MoveToVersionId=token, RemoveFromVersionId=current)
    else:
        raise ValueError(f"unknown rotation step {step!r}")
