"""Per-field and pooled TP/FP/FN, precision, recall, F1, with study-bootstrap intervals."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from extract.score.gold import gold_documents, load_gold, load_predictions, restrict_to_gold_documents
from extract.score.headline import headline_figures, load_headlines
from extract.score.match import lenient_match, one_to_one, strict_match
from extract.score.scope import GoldScope, load_scopes, scoped_predictions, second_view
from extract.score.models import (
    DocumentFieldCounts,
    ErrorRow,
    FieldScore,
    Interval,
    MacroScore,
    ModeScore,
    ScoreReport,
    ScoreView,
)

KEY = ["doc_id", "study_key", "field", "value"]
GROUP = ["doc_id", "study_key", "field"]


def dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per unique (doc_id, study_key, field, value); the first row's evidence is kept."""
    return frame.drop_duplicates(subset=KEY, keep="first").reset_index(drop=True)


def prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    """Precision, recall, F1; 0.0 when a denominator is zero."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def match_frames(gold: pd.DataFrame, pred: pd.DataFrame, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Boolean 'matched' flags for each (deduped) gold row and prediction row."""
    gold_hit = np.zeros(len(gold), dtype=bool)
    pred_hit = np.zeros(len(pred), dtype=bool)
    pred_groups = {k: idx for k, idx in pred.groupby(GROUP, sort=False).indices.items()}
    for key, g_idx in gold.groupby(GROUP, sort=False).indices.items():
        p_idx = pred_groups.get(key)
        if p_idx is None:
            continue
        field = key[2]

        def same(g: str, p: str) -> bool:
            return strict_match(g, p, field) if mode == "strict" else lenient_match(g, p, field)

        pairs = one_to_one(list(gold["value"].iloc[g_idx]), list(pred["value"].iloc[p_idx]), same)
        for i, j in pairs:
            gold_hit[g_idx[i]] = True
            pred_hit[p_idx[j]] = True
    return gold_hit, pred_hit


def _ci(samples: np.ndarray) -> Interval:
    samples = samples[~np.isnan(samples)]
    if samples.size == 0:
        return Interval(low=0.0, high=0.0)
    low, high = np.percentile(samples, [2.5, 97.5])
    return Interval(low=float(low), high=float(high))


def _boot_prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised prf() with the same zero-division convention; NaN where the field has
    no gold and no predicted value in the resample (it is then left out)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), 0.0)
        r = np.where(tp + fn > 0, tp / np.maximum(tp + fn, 1), 0.0)
        f = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
    absent = (tp + fp + fn) == 0
    return tuple(np.where(absent, np.nan, x) for x in (p, r, f))


def score_mode(
    mode: str,
    gold: pd.DataFrame,
    pred: pd.DataFrame,
    gold_hit: np.ndarray,
    pred_hit: np.ndarray,
    resamples: int,
    seed: int,
) -> ModeScore:
    fields = sorted(set(gold["field"]) | set(pred["field"]))
    studies = sorted(set(zip(gold["doc_id"], gold["study_key"])) | set(zip(pred["doc_id"], pred["study_key"])))
    s_index = {s: i for i, s in enumerate(studies)}
    f_index = {f: i for i, f in enumerate(fields)}
    counts = np.zeros((len(studies), len(fields), 3), dtype=np.int64)  # tp, fp, fn
    for doc, key, field, hit in zip(gold["doc_id"], gold["study_key"], gold["field"], gold_hit):
        counts[s_index[(doc, key)], f_index[field], 0 if hit else 2] += 1
    for doc, key, field, hit in zip(pred["doc_id"], pred["study_key"], pred["field"], pred_hit):
        if not hit:
            counts[s_index[(doc, key)], f_index[field], 1] += 1

    totals = counts.sum(axis=0)  # fields x 3
    rng = np.random.default_rng(seed)
    n = len(studies)
    if n and resamples:
        draws = rng.integers(0, n, size=(resamples, n))
        weights = np.stack([np.bincount(row, minlength=n) for row in draws])  # B x S
        boot = np.einsum("bs,sfk->bfk", weights, counts).astype(float)  # B x F x 3
    else:
        boot = np.zeros((0, len(fields), 3))
    bp, br, bf = _boot_prf(boot[..., 0], boot[..., 1], boot[..., 2])  # B x F

    field_scores = []
    for f, name in enumerate(fields):
        tp, fp, fn = (int(x) for x in totals[f])
        p, r, f1 = prf(tp, fp, fn)
        field_scores.append(
            FieldScore(
                field=name, tp=tp, fp=fp, fn=fn, precision=p, recall=r, f1=f1,
                precision_ci=_ci(bp[:, f]), recall_ci=_ci(br[:, f]), f1_ci=_ci(bf[:, f]),
            )
        )
    tp, fp, fn = (int(x) for x in totals.sum(axis=0)) if len(fields) else (0, 0, 0)
    p, r, f1 = prf(tp, fp, fn)
    pooled = boot.sum(axis=1)
    mp, mr, mf = _boot_prf(pooled[:, 0], pooled[:, 1], pooled[:, 2])
    micro = FieldScore(
        field="micro", tp=tp, fp=fp, fn=fn, precision=p, recall=r, f1=f1,
        precision_ci=_ci(mp), recall_ci=_ci(mr), f1_ci=_ci(mf),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a resample with no field at all
        macro_p, macro_r, macro_f = (np.nanmean(x, axis=1) if x.size else x[:, 0] for x in (bp, br, bf))

    def mean(attr: str) -> float:
        return float(np.mean([getattr(s, attr) for s in field_scores])) if field_scores else 0.0

    macro = MacroScore(
        precision=mean("precision"), recall=mean("recall"), f1=mean("f1"),
        precision_ci=_ci(macro_p), recall_ci=_ci(macro_r), f1_ci=_ci(macro_f),
    )
    return ModeScore(mode=mode, fields=field_scores, micro=micro, macro=macro)


def _view_frames(pred: pd.DataFrame, gold: pd.DataFrame, scope: GoldScope) -> tuple[pd.DataFrame, pd.DataFrame]:
    view_gold, view_pred = second_view(pred, gold, scope)
    # pandas carries `attrs` through a filter: the view judges its own documents, not the whole gold's.
    view_gold.attrs = {}
    return view_gold, view_pred


def score_frames(
    gold: pd.DataFrame,
    pred: pd.DataFrame,
    resamples: int = 1000,
    seed: int = 0,
    gold_label: str = "",
    pred_label: str = "",
    scopes: dict[str, GoldScope] | None = None,
) -> ScoreReport:
    documents = gold_documents(gold)
    scopes = {d: s for d, s in (scopes or {}).items() if d in documents}
    gold = dedupe(gold)
    pred_rows = restrict_to_gold_documents(pred, documents)
    views = [
        ScoreView(
            name=scope.second_view or f"{scope.doc_id} beyond its gold's evidence",
            about=scope.about,
            report=score_frames(*_view_frames(pred_rows, gold, scope), resamples, seed, gold_label, pred_label),
        )
        for scope in scopes.values()
    ]
    pred_rows, unscored = scoped_predictions(pred_rows, gold, scopes)
    pred = dedupe(pred_rows)
    modes = {}
    errors: list[ErrorRow] = []
    per_document: list[DocumentFieldCounts] = []
    for mode in ("strict", "lenient"):
        gold_hit, pred_hit = match_frames(gold, pred, mode)
        modes[mode] = score_mode(mode, gold, pred, gold_hit, pred_hit, resamples, seed)
        for row, hit in zip(pred.itertuples(index=False), pred_hit):
            if not hit:
                errors.append(ErrorRow(mode=mode, kind="FP", doc_id=row.doc_id, study_key=row.study_key,
                                       field=row.field, value=row.value, evidence=row.evidence, mention=row.mention))
        for row, hit in zip(gold.itertuples(index=False), gold_hit):
            if not hit:
                errors.append(ErrorRow(mode=mode, kind="FN", doc_id=row.doc_id, study_key=row.study_key,
                                       field=row.field, value=row.value, evidence=row.evidence))
        g = gold.assign(tp=gold_hit.astype(int), fn=(~gold_hit).astype(int), fp=0)
        p = pred.assign(tp=0, fn=0, fp=(~pred_hit).astype(int))
        both = pd.concat([g[["doc_id", "field", "tp", "fp", "fn"]], p[["doc_id", "field", "tp", "fp", "fn"]]])
        for (doc, field), c in both.groupby(["doc_id", "field"]).sum().iterrows():
            per_document.append(DocumentFieldCounts(doc_id=doc, mode=mode, field=field,
                                                    tp=int(c.tp), fp=int(c.fp), fn=int(c.fn)))
    return ScoreReport(
        gold=gold_label, pred=pred_label, documents=sorted(documents),
        gold_values=len(gold), pred_rows=len(pred_rows), pred_values=len(pred),
        resamples=resamples, seed=seed, strict=modes["strict"], lenient=modes["lenient"],
        per_document=per_document, errors=errors, unscored_rows=unscored,
        scopes={d: f"{s.title}: {s.evidence_kind} evidence" for d, s in scopes.items()}, views=views,
    )


def score_paths(gold: Path | str, pred: Path | str, resamples: int = 1000, seed: int = 0) -> ScoreReport:
    predictions = load_predictions(pred)
    report = score_frames(load_gold(gold), predictions, resamples, seed, str(gold), str(pred), load_scopes(gold))
    report.headlines = {
        doc_id: headline_figures(doc_id, paper, predictions)
        for doc_id, paper in load_headlines(gold).items()
        if doc_id in report.documents
    }
    return report


def errors_frame(report: ScoreReport) -> pd.DataFrame:
    columns = list(ErrorRow.model_fields)
    return pd.DataFrame([e.model_dump() for e in report.errors], columns=columns)
