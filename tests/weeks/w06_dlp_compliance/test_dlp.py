"""The PII corpus generator and the detector scoring in dlp."""

from __future__ import annotations

import re

import pytest

from mastery.weeks.w06_dlp_compliance import dlp


@pytest.fixture(scope="module")
def corpus():
    return dlp.make_corpus(seed=11, n=300)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_same_seed_same_corpus_other_seed_other_corpus():
    assert dlp.make_corpus(seed=3, n=50) == dlp.make_corpus(seed=3, n=50)
    assert dlp.make_corpus(seed=3, n=50) != dlp.make_corpus(seed=4, n=50)


def test_spans_point_at_values_of_their_kind(corpus):
    shapes = {
        "ssn": r"\d{3}-\d{2}-\d{4}",
        "card": r"\d{4}([ -]?)(\d{4}\1\d{4}\1\d{4}|\d{6}\1\d{5})",
        "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
        "phone": r"(\+1[ -])?(\(\d{3}\) |\d{3}[-. ])\d{3}[-. ]\d{4}",
    }
    seen = set()
    for r in corpus:
        for kind, start, end in r["spans"]:
            value = r["text"][start:end]
            assert re.fullmatch(shapes[kind], value), (kind, value)
            seen.add(kind)
    assert seen == set(dlp.KINDS)


def test_labelled_values_are_valid_and_follow_the_rules(corpus):
    for r in corpus:
        for kind, start, end in r["spans"]:
            value = r["text"][start:end]
            if kind == "ssn":
                area, group, serial = value.split("-")
                assert area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"
            elif kind == "card":
                assert _luhn_ok(re.sub(r"\D", "", value)), value
            elif kind == "phone":
                digits = re.sub(r"\D", "", value)[-10:]
                assert digits[0] in "23456789" and digits[3] in "23456789", value


def test_decoys_exist_and_break_a_rule():
    """Every SSN-shaped or card-shaped string that is not labelled must be invalid."""
    corpus = dlp.make_corpus(seed=12, n=300)
    bad_ssn = bad_card = 0
    for r in corpus:
        labelled = {(s, e) for _, s, e in r["spans"]}
        for m in re.finditer(r"(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])", r["text"]):
            if (m.start(), m.end()) not in labelled:
                a, g, s = m.groups()
                assert a in ("000", "666") or a[0] == "9" or g == "00" or s == "0000", m.group()
                bad_ssn += 1
        for m in re.finditer(r"(?<![\d-])\d{4}([ -]?)(\d{4}\1\d{4}\1\d{4}|\d{6}\1\d{5})(?![\d-])", r["text"]):
            if (m.start(), m.end()) not in labelled:
                assert not _luhn_ok(re.sub(r"\D", "", m.group())), m.group()
                bad_card += 1
    assert bad_ssn > 10 and bad_card > 10


def test_evaluate_counts_exact_matches_only():
    corpus = [{"text": "x", "spans": [["ssn", 0, 11], ["email", 20, 30]]}]
    scores = dlp.evaluate(lambda text: [("ssn", 0, 11), ("email", 20, 29), ("card", 40, 56)], corpus)
    assert scores.loc["ssn", ["tp", "fp", "fn"]].tolist() == [1, 0, 0]
    assert scores.loc["email", ["tp", "fp", "fn"]].tolist() == [0, 1, 1]
    assert scores.loc["card", "precision"] == 0.0 and scores.loc["card", "recall"] == 1.0
    assert scores.loc["all", ["tp", "fp", "fn"]].tolist() == [1, 2, 1]
    assert scores.loc["all", "precision"] == pytest.approx(1 / 3, abs=1e-4)


def test_a_perfect_detector_scores_one_and_a_silent_one_zero(corpus):
    labels = {r["text"]: r["spans"] for r in corpus}
    perfect = dlp.evaluate(lambda text: labels[text], corpus)
    assert (perfect[["precision", "recall", "f1"]] == 1.0).all().all()
    silent = dlp.evaluate(lambda text: [], corpus)
    assert (silent["recall"] == 0.0).all() and (silent["f1"] == 0.0).all()


def test_confusion_puts_wrong_kinds_off_the_diagonal():
    corpus = [{"text": "x", "spans": [["ssn", 0, 11], ["phone", 20, 32]]}]
    m = dlp.confusion(lambda text: [("ssn", 0, 11), ("card", 20, 32), ("email", 40, 50)], corpus)
    assert m.loc["ssn", "ssn"] == 1
    assert m.loc["phone", "card"] == 1
    assert m.loc["none", "email"] == 1
    assert m.to_numpy().sum() == 3


def test_plot_confusion_draws_every_cell():
    import matplotlib

    matplotlib.use("Agg")
    corpus = dlp.make_corpus(seed=1, n=20)
    ax = dlp.plot_confusion(dlp.confusion(lambda t: [], corpus))
    assert len(ax.texts) == len(dlp.KINDS + ("none",)) ** 2


def test_committed_corpus_loads():
    corpus = dlp.load_corpus()
    assert len(corpus) == 600 and corpus == dlp.make_corpus(seed=6, n=600)


def test_real_format_set_is_labelled_from_its_values_and_sourced():
    records = dlp.load_real_formats()
    assert len(records) >= 50 and len({r["id"] for r in records}) == len(records)
    kinds = {k for r in records for k, _, _ in r["spans"]}
    assert kinds == set(dlp.KINDS)
    for r in records:
        assert r["source"].strip(), r
        for kind, start, end in r["spans"]:
            value = r["text"][start:end]
            assert value and value == value.strip(), (r, kind)
            if kind == "card":
                digits = re.sub(r"\D", "", value)
                assert _luhn_ok(digits) and dlp.card_brand(digits), (r["id"], value)


def test_card_brands_by_iin_range_and_length():
    assert dlp.card_brand("4111111111111111") == "visa"
    assert dlp.card_brand("4222222222222") == "visa"
    assert dlp.card_brand("2720990000000000") == "mastercard" and dlp.card_brand("2721000000000000") is None
    assert dlp.card_brand("378282246310005") == "amex" and dlp.card_brand("3782822463100050") is None
    assert dlp.card_brand("30569309025904") == "diners"
    assert dlp.card_brand("6205500000000000004") == "unionpay"
    for not_a_card in ("352099001761481", "0000000000000000", "1234567812345670", "9400100000000000"):
        assert _luhn_ok(not_a_card) or not_a_card.startswith("94")
        assert dlp.card_brand(not_a_card) is None, not_a_card


def test_voided_ssns_are_the_two_the_ssa_voided():
    assert dlp.VOIDED_SSNS == {"078051120", "219099999"}
