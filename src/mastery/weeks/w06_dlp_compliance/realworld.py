"""A labelled set of PII in the formats real systems write, and of real look-alikes.

The generated corpus (:func:`dlp.make_corpus`) has four formats per kind and synthetic decoys;
this set holds what production logs, tickets and exports contain and what broke the first
reference detector: SSNs without dashes, 13- to 19-digit cards of every major brand, E.164
phone numbers, a card right after a 4-digit id, and look-alikes that pass a naive rule (an
IMEI passes Luhn, so do all zeros; the voided SSNs have valid shapes; ``icon@2x.png`` has an @).

No value is anyone's data. Card numbers are the test numbers card networks and processors
publish for integration testing (or Luhn-valid numbers built for a brand's IIN range); SSNs
are either SSA-voided numbers or random numbers in the issued ranges; phones use the 555-01xx
block the NANP reserves for fiction; e-mail domains are RFC 2606 ``example`` domains.

Each item is ``(text, [(kind, value), ...], source)``; spans are found from the values, so a
typo cannot label the wrong characters. Values appearing twice are labelled in order.
"""

from __future__ import annotations

_ITEMS: list[tuple[str, list[tuple[str, str]], str]] = [
    # ------------------------------------------------------------------ SSNs
    ("SSN 536-22-1908 verified by agent", [("ssn", "536-22-1908")],
     "SSA format ddd-dd-dddd (SSA, Social Security Number Randomization, 2011)"),
    ("ssn: 536221908 (no dashes, as stored in the HR export)", [("ssn", "536221908")],
     "nine bare digits after an SSN label: how HR and payroll exports store it"),
    ("SSN#665102000 on the W-4", [("ssn", "665102000")],
     "bare digits after 'SSN#' (IRS forms use the label)"),
    ("Social Security Number: 001 01 0001", [("ssn", "001 01 0001")], "space-separated, as on the card"),
    ("employee ssn 899-99-9999, start date 2026-03-02", [("ssn", "899-99-9999")],
     "highest issued area (899) with valid group and serial"),
    ("sample SSN 078-05-1120 from the wallet insert", [],
     "voided: the Woolworth wallet number (SSA history, 'Social Security Cards Issued by Woolworth')"),
    ("ad copy shows 219-09-9999 as an example", [], "voided: printed in a 1940 SSA advertisement"),
    ("SSN 078051120 typed without dashes", [], "voided number without dashes is still voided"),
    ("ABA routing 021000021 for the wire", [], "a public ABA routing number: nine digits, no SSN label"),
    ("invoice 123456789 paid", [], "nine digits without an SSN label are an id, not an SSN"),
    ("zip 94103-1234, suite 536-22-19080", [], "ZIP+4 and a longer hyphenated run are not SSNs"),
    ("SSN 000-12-3456 rejected", [], "area 000 is never issued"),
    # ----------------------------------------------------------------- cards
    ("card 4111 1111 1111 1111 exp 12/29", [("card", "4111 1111 1111 1111")],
     "Visa test number, spaced 4-4-4-4"),
    ("paid with 4242424242424242", [("card", "4242424242424242")],
     "Visa test number (processor docs), contiguous"),
    ("legacy visa 4222222222222 accepted", [("card", "4222222222222")], "13-digit Visa test number"),
    ("mc 5555-5555-5555-4444 declined", [("card", "5555-5555-5555-4444")], "Mastercard test number, hyphens"),
    ("mc 2-series 2223003122003222", [("card", "2223003122003222")],
     "Mastercard 2221-2720 range test number"),
    ("amex 3782 822463 10005", [("card", "3782 822463 10005")], "American Express test number, 4-6-5"),
    ("amex 371449635398431", [("card", "371449635398431")], "American Express test number, contiguous"),
    ("discover 6011 1111 1111 1117", [("card", "6011 1111 1111 1117")], "Discover test number"),
    ("diners 3056 930902 5904", [("card", "3056 930902 5904")], "Diners Club 14-digit test number, 4-6-4"),
    ("jcb 3566002020360505 refunded", [("card", "3566002020360505")], "JCB test number"),
    ("unionpay 6205500000000000004 (19 digits)", [("card", "6205500000000000004")],
     "UnionPay 19-digit test number"),
    ("visa 4000 0000 0000 0000 006 on file", [("card", "4000 0000 0000 0000 006")],
     "19-digit Visa, groups of four with a last group of three"),
    ("Ticket 4821 4111 1111 1111 1111 disputed", [("card", "4111 1111 1111 1111")],
     "a card right after a 4-digit ticket id (a failed candidate must not swallow it)"),
    ("IMEI 352099001761481 on the handset", [],
     "IMEI (3GPP TS 23.003 example value): 15 digits, passes Luhn"),
    ("IMEI 35-209900-176148-1", [], "the same IMEI in its printed form"),
    ("placeholder 0000 0000 0000 0000", [], "all zeros pass Luhn but no brand starts with 0"),
    ("USPS 9400 1000 0000 0000 0000 00 in transit", [], "USPS 22-digit tracking number, spaced in fours"),
    ("UPS 1Z999AA10123456784 delivered", [], "UPS tracking number (letters and digits)"),
    ("order 1234 5678 1234 5670 shipped", [], "Luhn-valid order id: no card brand starts with 1"),
    ("ISBN 9780306406157 in stock", [], "ISBN-13 (978 prefix): not a card"),
    ("card 4111 1111 1111 1112 rejected", [], "fails Luhn"),
    # ---------------------------------------------------------------- e-mail
    ("contact a@example.com for access", [("email", "a@example.com")], "one-character local part (RFC 5321)"),
    ("cc ann.smith+billing@mail.example.co.uk", [("email", "ann.smith+billing@mail.example.co.uk")],
     "plus addressing, multi-label domain"),
    ("mailto:bob_okafor@example.org", [("email", "bob_okafor@example.org")], "mailto: URI"),
    ("From: Carla <carla.novak@example.net>", [("email", "carla.novak@example.net")], "RFC 5322 name-addr"),
    ("DEV-9@corp.example.com escalated", [("email", "DEV-9@corp.example.com")], "upper case and a hyphen"),
    ("<img src=icon@2x.png>", [], "retina asset name, not an address"),
    ("logo@3x.webp and hero@2x.jpg shipped", [], "asset names"),
    ("ping @grace_khan on chat", [], "a chat handle"),
    ("root@localhost rejected", [], "no dot in the domain: not a deliverable address"),
    # ---------------------------------------------------------------- phones
    ("call (415) 555-0134 after 5", [("phone", "(415) 555-0134")], "NANP with brackets"),
    ("sms +14155550134 sent", [("phone", "+14155550134")], "E.164 (ITU-T E.164), as SMS APIs write it"),
    ("whatsapp +12125550187", [("phone", "+12125550187")], "E.164"),
    ("tel 415.555.0134", [("phone", "415.555.0134")], "dotted"),
    ("+1-212-555-0187 (front desk)", [("phone", "+1-212-555-0187")], "+1 with hyphens"),
    ("call (123) 555-0134", [], "area code starting with 1: impossible under the NANP"),
    ("ext 415-155-0134", [], "exchange starting with 1: impossible under the NANP"),
    ("UK office +44 20 7946 0958", [], "a UK number (Ofcom drama range): not a US phone"),
    ("E.164 +442079460958 London", [], "a UK number in E.164"),
    ("mixed: SSN 536-22-1908, card 5555555555554444, mail ann@example.com, tel +14155550134",
     [("ssn", "536-22-1908"), ("card", "5555555555554444"), ("email", "ann@example.com"),
      ("phone", "+14155550134")], "one line with one item of each kind"),
]


def records() -> list[dict]:
    """The set as ``{"id", "text", "spans": [[kind, start, end], ...], "source"}`` records."""
    out = []
    for i, (text, items, source) in enumerate(_ITEMS):
        spans, cursor = [], {}
        for kind, value in items:
            start = text.index(value, cursor.get(value, 0))
            cursor[value] = start + len(value)
            spans.append([kind, start, start + len(value)])
        out.append({"id": f"real-{i:03d}", "text": text, "spans": spans, "source": source})
    return out
