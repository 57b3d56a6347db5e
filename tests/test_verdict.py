"""Verdict labels: parsing judge replies, normalising aliases, and scoring a label for the model."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codearena.judging.verdict import (
    LABELS,
    SKIPPED_BASELINE,
    SKIPPED_BOTH,
    SKIPPED_MODEL,
    is_strong,
    model_score,
    parse_verdict,
    scoring_verdict,
    skipped_verdict,
    swap,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("My final verdict is: [[A>>B]]", "A>>B"),
        ("[[A>B]]", "A>B"),
        ("[[A=B]]", "A=B"),
        ("[[B>A]]", "B>A"),
        ("[[B>>A]]", "B>>A"),
        # whitespace and case
        ("final: [[ a > b ]]", "A>B"),
        ("[[b >> a]]\n", "B>>A"),
        ("[[ B\t= A ]]", "A=B"),
        # aliases are normalised to the five labels
        ("[[A<<B]]", "B>>A"),
        ("[[A<B]]", "B>A"),
        ("[[B<A]]", "A>B"),
        ("[[B<<A]]", "A>>B"),
        ("[[B=A]]", "A=B"),
        # the last label wins (the rubric is often restated before the verdict)
        ("Options: [[A>>B]] [[A>B]] [[A=B]] [[B>A]] [[B>>A]]. Verdict: [[A>B]]", "A>B"),
        ("[[B>A]] at first, but on reflection [[A=B]]", "A=B"),
        # single brackets only when there is no double-bracket label
        ("Final verdict: [A>B]", "A>B"),
        ("[[B>A]] and a stray [A>B]", "B>A"),
        # quoted code is not a label attempt
        ("grid = [[a]]; x[b] = 1; verdict [[B>A]]", "B>A"),
        ("the array x[a] is [[b]] ... [[A>>B]]", "A>>B"),
        # junk is never returned as a label
        ("[[A>>>B]]", None),
        ("[[A>B]] ... final: [[A>>>B]]", None),
        ("[[A>B>A]]", None),
        ("[[=]]", None),
        ("[[AB]]", None),
        ("[[C>D]]", None),
        ("A is better", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_table(text, expected):
    assert parse_verdict(text) == expected


_filler = st.text(alphabet=st.characters(blacklist_characters="[]"), max_size=40)


@given(prefix=_filler, label=st.sampled_from(LABELS), suffix=_filler)
def test_label_found_in_any_text(prefix, label, suffix):
    assert parse_verdict(f"{prefix}[[{label}]]{suffix}") == label


@given(labels=st.lists(st.sampled_from(LABELS), min_size=1, max_size=6), sep=_filler)
def test_last_label_wins(labels, sep):
    text = sep.join(f"[[{label}]]" for label in labels)
    assert parse_verdict(text) == labels[-1]


@given(label=st.sampled_from(LABELS), data=st.data())
def test_blanks_and_case_are_ignored(label, data):
    chars = []
    for ch in label:
        chars.append(data.draw(st.sampled_from([" ", "", "\t", "  "])))
        chars.append(ch.lower() if data.draw(st.booleans()) else ch)
    assert parse_verdict("[[" + "".join(chars) + " ]]") == label


@given(st.text(alphabet="AB<>=[] ab\n", max_size=40))
def test_never_a_junk_label(text):
    assert parse_verdict(text) in set(LABELS) | {None}


@given(st.sampled_from(LABELS), st.booleans())
def test_scores_do_not_depend_on_position(label, model_is_a):
    assert swap(swap(label)) == label
    assert model_score(label, model_is_a) == model_score(swap(label), not model_is_a)
    assert is_strong(label) == is_strong(swap(label))


def test_model_score_table():
    assert [model_score(v, True) for v in LABELS] == [1.0, 1.0, 0.5, 0.0, 0.0]
    assert [model_score(v, False) for v in LABELS] == [0.0, 0.0, 0.5, 1.0, 1.0]
    assert [is_strong(v) for v in LABELS] == [True, False, False, False, True]
    with pytest.raises(ValueError, match="not a verdict label"):
        model_score("A>>>B", True)


@pytest.mark.parametrize(
    "model_failed, baseline_failed, model_is_a, expected",
    [
        (True, False, True, "B>>A"),  # the model (in A) failed: the baseline wins strongly
        (True, False, False, "A>>B"),
        (False, True, True, "A>>B"),  # the baseline failed: the model wins strongly
        (False, True, False, "B>>A"),
        (True, True, True, "A=B"),
        (True, True, False, "A=B"),
    ],
)
def test_skipped_verdict(model_failed, baseline_failed, model_is_a, expected):
    verdict = skipped_verdict(model_failed, baseline_failed, model_is_a)
    assert verdict == expected
    # the failed side never scores better than the side that answered
    expected_score = 0.5 if model_failed == baseline_failed else (0.0 if model_failed else 1.0)
    assert model_score(verdict, model_is_a) == expected_score


def test_skipped_verdict_needs_a_failed_side():
    with pytest.raises(ValueError, match="neither side failed"):
        skipped_verdict(False, False, True)


def test_scoring_verdict():
    assert scoring_verdict({"verdict": "A>B", "skipped": None}, model_is_a=True) == "A>B"
    assert scoring_verdict({"verdict": None, "skipped": None, "error": "x"}, model_is_a=True) is None
    assert scoring_verdict({"verdict": None, "skipped": SKIPPED_MODEL}, model_is_a=True) == "B>>A"
    assert scoring_verdict({"verdict": None, "skipped": SKIPPED_BASELINE}, model_is_a=True) == "A>>B"
    assert scoring_verdict({"verdict": None, "skipped": SKIPPED_BOTH}, model_is_a=False) == "A=B"
    with pytest.raises(ValueError, match="unknown skipped reason"):
        scoring_verdict({"verdict": None, "skipped": "something else"}, model_is_a=True)
