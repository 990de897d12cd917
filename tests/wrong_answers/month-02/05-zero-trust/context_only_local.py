# Wrong answer: Binds the context only as AES-GCM associated data and not to KMS, so KMS hands the data key to anyone who has the encrypted envelope, whatever the context (and CloudTrail cannot show which context was used).
# cell: envelope
# loses: test-envelope-context
def seal(plaintext, context):
    """Encrypt bytes under a fresh KMS data key bound to `context`. Return the envelope dict."""
    dk = kms.generate_data_key(KeyId=KEY_ID, KeySpec="AES_256", )
    nonce = os.urandom(12)
    ciphertext = AESGCM(dk["Plaintext"]).encrypt(nonce, plaintext, canonical(context))
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return {"key": b64(dk["CiphertextBlob"]), "nonce": b64(nonce), "ciphertext": b64(ciphertext)}
def unseal(envelope, context):
    """Decrypt an envelope made by seal(); raise if `context` is not the one it was sealed with."""
    key = kms.decrypt(CiphertextBlob=base64.b64decode(envelope["key"]))["Plaintext"]
    return AESGCM(key).decrypt(base64.b64decode(envelope["nonce"]), base64.b64decode(envelope["ciphertext"]),
                               canonical(context))
