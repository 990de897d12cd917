# Wrong answer: replaces each item with [REDACTED]: no PII left, but the length and the format change, so downstream parsers and column widths break.
# cell: redactor
# loses: test-redact-format, test-redact-corpus
def redact(text):
    """Mask every PII item of `text` in place (same length, same separators)."""
    def mask(kind, value):
        if kind == "email":
            at = value.index("@")
            return value[0] + "*" * (at - 1) + value[at:]
        keep = sum(ch.isdigit() for ch in value) - 4
        out = []
        for ch in value:
            if ch.isdigit() and keep > 0:
                out.append("*")
                keep -= 1
            else:
                out.append(ch)
        return "".join(out)

    out = text
    for kind, start, end in sorted(detect(text), key=lambda s: -s[1]):
        out = out[:start] + "[REDACTED]" + out[end:]
    return out
