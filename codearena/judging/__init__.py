"""Pairwise judging of a model's answers against the baseline's, question by question.

- `pairs`: the pairs to judge (`build_pairs`) and the judgment record shape shared by both judges;
- `evidence`: one model's execution records, keyed by uid, with absolute image paths;
- `prompt`, `images`: the LLM judge's messages (text, stdout/stderr head+tail, screenshots as data URLs);
- `llm_judge`: `judge_pairs`, an LLM judge with re-asks for unparsable verdicts, through the response cache;
- `execution_judge`: `judge_pairs_by_execution`, a rule-based judge that reads only the execution evidence;
- `verdict`: the five labels, parsing, and how a label scores.

Every pair is judged twice with the positions swapped (game 0: A = baseline; game 1: A = model).

Scoring a game with a failed side (`verdict.skipped_verdict`): an answer record with status "failed"
(no reply after retries) gets no judge call; the game is recorded with `skipped` set, and scoring counts
it as a strong loss for the failed side against a side that answered, and as a tie when both failed.
So every model is scored on the same questions, and failing to answer is never better than answering.
"""
