# Wrong answer: masks every digit in the text, not just detected items: order numbers, dates, amounts and decoys are destroyed (over-redaction).
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

    out = re.sub(r"\d", "*", text)
    for kind, start, end in detect(text):
        if kind == "email":
            out = out[:start] + mask(kind, text[start:end]) + out[end:]
    return out
