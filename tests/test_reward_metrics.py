"""Judge-vs-human metrics: agreement with scikit-learn, the pooled-overall rule, the paper's tables."""

import csv
import random

import numpy as np
import pytest
from sklearn import metrics as skm

from codearena.reward.labels import FOUR, THREE, merge, normalise_vote
from codearena.reward.metrics import confusion, evaluate, merge_matrix, pool, scores


def random_labels(rng, n, weights=(0.4, 0.35, 0.15, 0.1), judge_skill=0.6):
    true = rng.choices(FOUR, weights=weights, k=n)
    # A judge that agrees with the human with probability `judge_skill` and never says both_bad.
    pred = [t if rng.random() < judge_skill and t != "both_bad" else rng.choice(THREE) for t in true]
    return true, pred


def assert_matches_sklearn(true, pred, labels):
    got = scores(confusion(true, pred, labels), labels)
    present = sorted(set(true) | set(pred))
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(true, pred))
    for avg_key, fn in (("macro_precision", skm.precision_score), ("macro_recall", skm.recall_score),
                        ("macro_f1", skm.f1_score)):
        assert got[avg_key] == pytest.approx(fn(true, pred, labels=present, average="macro", zero_division=0))
    p, r, f, s = skm.precision_recall_fscore_support(true, pred, labels=list(labels), zero_division=0)
    for i, label in enumerate(labels):
        assert got["per_class"][label]["precision"] == pytest.approx(p[i])
        assert got["per_class"][label]["recall"] == pytest.approx(r[i])
        assert got["per_class"][label]["f1"] == pytest.approx(f[i])
        assert got["per_class"][label]["support"] == s[i]
    kappa = skm.cohen_kappa_score(true, pred)
    if np.isnan(kappa):
        assert got["cohen_kappa"] is None
    else:
        assert got["cohen_kappa"] == pytest.approx(kappa)
    assert got["mcc"] == pytest.approx(skm.matthews_corrcoef(true, pred))
    assert got["confusion"]["matrix"] == skm.confusion_matrix(true, pred, labels=list(labels)).tolist()
    return got


@pytest.mark.parametrize("seed", range(12))
def test_four_and_three_class_metrics_agree_with_sklearn(seed):
    rng = random.Random(seed)
    n = rng.choice([5, 17, 60, 400])
    true, pred = random_labels(rng, n, judge_skill=rng.random())
    assert_matches_sklearn(true, pred, FOUR)
    assert_matches_sklearn([merge(t) for t in true], [merge(p) for p in pred], THREE)


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_degenerate_cases_agree_with_sklearn():
    # One label on both sides: kappa undefined, MCC 0; a class nobody used is left out of the macro mean.
    assert_matches_sklearn(["A"] * 4, ["A"] * 4, FOUR)
    got = assert_matches_sklearn(["A", "A", "B"], ["B", "B", "B"], FOUR)
    assert got["accuracy"] == pytest.approx(1 / 3)
    assert_matches_sklearn(["tie", "both_bad"], ["tie", "A"], FOUR)


def test_merged_matrix_equals_the_matrix_of_merged_labels():
    rng = random.Random(7)
    true, pred = random_labels(rng, 300)
    cm3 = confusion([merge(t) for t in true], [merge(p) for p in pred], THREE)
    assert merge_matrix(confusion(true, pred, FOUR)).tolist() == cm3.tolist()


def test_overall_is_computed_on_pooled_records_not_averaged_over_categories():
    rng = random.Random(3)
    records = []
    # Categories of very different sizes and judge quality, so averaging would give other figures.
    for category, n, skill in (("web_design", 300, 0.8), ("diagram_creation", 20, 0.2), ("problem_solving", 90, 0.5)):
        true, pred = random_labels(rng, n, judge_skill=skill)
        records += [{"human": t, "judge": p, "category": category} for t, p in zip(true, pred)]
    records += [{"human": "A", "judge": "error", "category": "web_design"}] * 5
    result = evaluate(records)

    judged = [r for r in records if r["judge"] != "error"]
    flat3 = scores(confusion([merge(r["human"]) for r in judged], [merge(r["judge"]) for r in judged], THREE), THREE)
    assert result["three_class"]["accuracy"] == pytest.approx(flat3["accuracy"])
    assert result["three_class"]["macro_f1"] == pytest.approx(flat3["macro_f1"])
    assert result["three_class"]["cohen_kappa"] == pytest.approx(flat3["cohen_kappa"])
    assert result["four_class"]["mcc"] == pytest.approx(skm.matthews_corrcoef(
        [r["human"] for r in judged], [r["judge"] for r in judged]))

    cats = result["by_category"].values()
    mean_f1 = np.mean([c["three_class"]["macro_f1"] for c in cats])
    weighted_acc = sum(c["three_class"]["accuracy"] * c["judged"] for c in cats) / sum(c["judged"] for c in cats)
    assert abs(mean_f1 - result["three_class"]["macro_f1"]) > 0.01  # averaging would be wrong here
    assert weighted_acc == pytest.approx(result["three_class"]["accuracy"])  # pooling = vote-weighted mean

    assert result["battles"] == len(records) and result["failed"] == 5
    assert result["coverage"] == pytest.approx(len(judged) / len(records))
    assert result["by_category"]["web_design"]["failed"] == 5
    assert result["accuracy_counting_failures"] == pytest.approx(flat3["accuracy"] * len(judged) / len(records))


def _paper_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# Column prefixes of the paper's tables -> topic names of the topic-count table.
TOPICS = {"web": "web_design", "game": "game_development", "creative": "creative_coding",
          "diagram": "diagram_creation", "scientific": "scientific_computing", "problem": "problem_solving"}


def test_pooling_published_topic_accuracies_reproduces_the_overall_column(shared_data):
    paper = shared_data / "bigcodearena-paper"
    counts = {row["topic"]: int(row["votes_4731"]) for row in _paper_rows(paper / "bigcodearena_topic_counts.csv")}
    assert sum(counts.values()) == 4731
    checked = 0
    for row in _paper_rows(paper / "bigcodereward_table2_accuracy.csv"):
        for mode in ("no_exec", "with_exec"):
            per_topic = []
            for prefix, topic in TOPICS.items():
                n, accuracy = counts[topic], float(row[f"{prefix}_{mode}"]) / 100
                # A topic's published accuracy as a confusion matrix with that share on the diagonal.
                cm = np.zeros((3, 3))
                cm[0, 0], cm[0, 1] = accuracy * n, (1 - accuracy) * n
                per_topic.append(cm)
            overall = scores(pool(per_topic), THREE)["accuracy"] * 100
            assert overall == pytest.approx(float(row[f"overall_{mode}"]), abs=0.2), (row["model"], mode)
            checked += 1
    assert checked == 30


def test_published_macro_f1_is_not_an_average_of_topic_f1s(shared_data):
    """Why the overall macro-F1 must come from pooled records: the paper's is no weighted topic mean."""
    paper = shared_data / "bigcodearena-paper"
    counts = {row["topic"]: int(row["votes_4731"]) for row in _paper_rows(paper / "bigcodearena_topic_counts.csv")}
    gaps = []
    for row in _paper_rows(paper / "bigcodereward_table6_macro_f1.csv"):
        for mode in ("no_exec", "with_exec"):
            mean = sum(float(row[f"{p}_{mode}"]) * counts[t] for p, t in TOPICS.items()) / 4731
            gaps.append(abs(mean - float(row[f"overall_{mode}"])))
    assert max(gaps) > 1.0


@pytest.mark.parametrize("spelling,label", [
    ("vote_model_A", "A"), ("vote_model_B", "B"), ("vote_tie", "tie"), ("vote_both_bad", "both_bad"),
    ("vote_left", "A"), ("rightvote", "B"), ("tievote", "tie"), ("bothbad_vote", "both_bad"),
    (" Both bad ", "both_bad"), ("TIE", "tie"), ("a", "A"),
])
def test_every_vote_spelling_is_normalised(spelling, label):
    assert normalise_vote(spelling) == label


@pytest.mark.parametrize("junk", [None, "", "vote_model_C", "A>B", 1, "tie tie"])
def test_unknown_vote_spellings_are_rejected(junk):
    assert normalise_vote(junk) is None
