# Wrong answer: any 3-3-4 digit group is a phone number: area codes and exchanges starting with 0 or 1 (impossible under the NANP) are flagged, so phone precision falls.
# cell: detector
# loses: test-detect-visible, test-detect-hidden-set
def detect(text):
    """Every PII item in `text` as (kind, start, end), kind in ssn, card, email, phone."""
    ssn_re = r"(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])"
    card_re = r"(?<![\d-])(?:\d{4}([ -]?)\d{4}\1\d{4}\1\d{4}|\d{4}([ -]?)\d{6}\2\d{5})(?![\d-])"
    email_re = r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
    phone_re = r"(?<![\w+-])(?:\+1[ -])?(?:\((\d{3})\) |(\d{3})[-. ])(\d{3})[-. ](\d{4})(?![\d-])"

    def luhn_ok(digits):
        total = 0
        for i, ch in enumerate(reversed(digits)):
            d = int(ch)
            if i % 2 == 1:  # every second digit from the right, the check digit being the first
                d = d * 2 - 9 if d > 4 else d * 2
            total += d
        return total % 10 == 0

    def ssn_ok(area, group, serial):
        return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"

    found = []
    for m in re.finditer(ssn_re, text):
        if ssn_ok(*m.groups()):
            found.append(("ssn", m.start(), m.end()))
    for m in re.finditer(card_re, text):
        if luhn_ok(re.sub(r"\D", "", m.group())):
            found.append(("card", m.start(), m.end()))
    for m in re.finditer(email_re, text):
        found.append(("email", m.start(), m.end()))
    for m in re.finditer(phone_re, text):
        area, exchange = m.group(1) or m.group(2), m.group(3)
        if area and exchange:
            found.append(("phone", m.start(), m.end()))
    return sorted(found, key=lambda s: s[1])
