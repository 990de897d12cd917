# Wrong answer: Caches one data key per context and keeps its plaintext in memory for every record, so one leaked key opens every record and KMS no longer sees or limits each decryption.
# cell: envelope
# loses: test-envelope-keys
_DATA_KEY = {}


def seal(plaintext, context):
    """Encrypt bytes under a fresh KMS data key bound to `context`. Return the envelope dict."""
    key_of_context = canonical(context)
    if key_of_context not in _DATA_KEY:   # one data key per context, reused for every record
        _DATA_KEY[key_of_context] = kms.generate_data_key(KeyId=KEY_ID, KeySpec="AES_256",
                                                          EncryptionContext=context)
    dk = _DATA_KEY[key_of_context]
    nonce = os.urandom(12)
    ciphertext = AESGCM(dk["Plaintext"]).encrypt(nonce, plaintext, canonical(context))
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return {"key": b64(dk["CiphertextBlob"]), "nonce": b64(nonce), "ciphertext": b64(ciphertext)}
def unseal(envelope, context):
    """Decrypt an envelope made by seal(); raise if `context` is not the one it was sealed with."""
    key = kms.decrypt(CiphertextBlob=base64.b64decode(envelope["key"]), EncryptionContext=context)["Plaintext"]
    return AESGCM(key).decrypt(base64.b64decode(envelope["nonce"]), base64.b64decode(envelope["ciphertext"]),
                               canonical(context))
