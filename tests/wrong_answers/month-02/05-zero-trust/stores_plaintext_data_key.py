# Wrong answer: Stores the plaintext data key next to the ciphertext 'to save a KMS call', so whoever reads the envelope can decrypt it without KMS: the encryption protects nothing.
# cell: envelope
# loses: test-envelope-keys
def seal(plaintext, context):
    """Encrypt bytes under a fresh KMS data key bound to `context`. Return the envelope dict."""
    dk = kms.generate_data_key(KeyId=KEY_ID, KeySpec="AES_256", EncryptionContext=context)
    nonce = os.urandom(12)
    ciphertext = AESGCM(dk["Plaintext"]).encrypt(nonce, plaintext, canonical(context))
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return {"key": b64(dk["CiphertextBlob"]), "plainKey": b64(dk["Plaintext"]), "nonce": b64(nonce), "ciphertext": b64(ciphertext)}
def unseal(envelope, context):
    """Decrypt an envelope made by seal(); raise if `context` is not the one it was sealed with."""
    key = kms.decrypt(CiphertextBlob=base64.b64decode(envelope["key"]), EncryptionContext=context)["Plaintext"]
    return AESGCM(key).decrypt(base64.b64decode(envelope["nonce"]), base64.b64decode(envelope["ciphertext"]),
                               canonical(context))
